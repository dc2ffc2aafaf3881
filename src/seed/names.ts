import type { Lang } from './phrases.ts';
import type { Rng } from './rng.ts';

/**
 * Proper names for generated content: people, companies, cities and domains, per language. A few
 * dozen of each read as real data; a full fake-data library would be most of the CLI bundle that
 * the chart ships to the cluster (ConfigMaps and Helm releases are capped near 1 MiB).
 */
export interface Names {
  firstName(): string;
  lastName(): string;
  company(): string;
  city(): string;
}

interface NameLists {
  first: readonly string[];
  last: readonly string[];
  cities: readonly string[];
  companySuffixes: readonly string[];
}

const LISTS: Record<Lang, NameLists> = {
  en: {
    first: [
      'Olivia',
      'Liam',
      'Emma',
      'Noah',
      'Ava',
      'James',
      'Sophia',
      'Lucas',
      'Mia',
      'Ethan',
      'Harper',
      'Mason',
      'Grace',
      'Owen',
      'Chloe',
      'Henry',
    ],
    last: [
      'Smith',
      'Johnson',
      'Brown',
      'Taylor',
      'Miller',
      'Wilson',
      'Moore',
      'Clark',
      'Walker',
      'Hall',
      'Young',
      'King',
      'Wright',
      'Green',
      'Baker',
      'Carter',
    ],
    cities: [
      'Austin',
      'Seattle',
      'Boston',
      'Denver',
      'Chicago',
      'Portland',
      'Toronto',
      'Dublin',
      'London',
      'Manchester',
      'Melbourne',
      'San Diego',
    ],
    companySuffixes: ['Inc', 'LLC', 'Group', 'Labs', 'Systems', 'Partners'],
  },
  de: {
    first: ['Lukas', 'Anna', 'Leon', 'Mia', 'Felix', 'Lena', 'Jonas', 'Hannah', 'Paul', 'Emilia', 'Max', 'Sophie'],
    last: [
      'Müller',
      'Schmidt',
      'Schneider',
      'Fischer',
      'Weber',
      'Meyer',
      'Wagner',
      'Becker',
      'Hoffmann',
      'Schulz',
      'Koch',
      'Richter',
    ],
    cities: [
      'Berlin',
      'Hamburg',
      'München',
      'Köln',
      'Frankfurt',
      'Stuttgart',
      'Leipzig',
      'Dresden',
      'Bremen',
      'Wien',
      'Zürich',
    ],
    companySuffixes: ['GmbH', 'AG', 'KG', 'GmbH & Co. KG'],
  },
  fr: {
    first: [
      'Louise',
      'Gabriel',
      'Jade',
      'Raphaël',
      'Emma',
      'Arthur',
      'Chloé',
      'Jules',
      'Léa',
      'Hugo',
      'Manon',
      'Louis',
    ],
    last: [
      'Martin',
      'Bernard',
      'Dubois',
      'Thomas',
      'Robert',
      'Richard',
      'Petit',
      'Durand',
      'Leroy',
      'Moreau',
      'Simon',
      'Laurent',
    ],
    cities: [
      'Paris',
      'Lyon',
      'Marseille',
      'Toulouse',
      'Nantes',
      'Bordeaux',
      'Lille',
      'Strasbourg',
      'Montpellier',
      'Genève',
      'Bruxelles',
    ],
    companySuffixes: ['SA', 'SAS', 'SARL', 'et Fils'],
  },
  es: {
    first: [
      'Lucía',
      'Hugo',
      'Martina',
      'Mateo',
      'Sofía',
      'Leo',
      'Valeria',
      'Daniel',
      'Paula',
      'Alejandro',
      'Carmen',
      'Pablo',
    ],
    last: [
      'García',
      'Rodríguez',
      'González',
      'Fernández',
      'López',
      'Martínez',
      'Sánchez',
      'Pérez',
      'Gómez',
      'Díaz',
      'Ruiz',
      'Torres',
    ],
    cities: [
      'Madrid',
      'Barcelona',
      'Valencia',
      'Sevilla',
      'Bilbao',
      'Málaga',
      'Zaragoza',
      'Ciudad de México',
      'Bogotá',
      'Buenos Aires',
      'Lima',
    ],
    companySuffixes: ['S.A.', 'S.L.', 'y Asociados', 'Grupo'],
  },
  'pt-BR': {
    first: [
      'Miguel',
      'Helena',
      'Arthur',
      'Alice',
      'Gael',
      'Laura',
      'Heitor',
      'Manuela',
      'Davi',
      'Valentina',
      'Bernardo',
      'Júlia',
    ],
    last: [
      'Silva',
      'Santos',
      'Oliveira',
      'Souza',
      'Rodrigues',
      'Ferreira',
      'Alves',
      'Pereira',
      'Lima',
      'Gomes',
      'Costa',
      'Ribeiro',
    ],
    cities: [
      'São Paulo',
      'Rio de Janeiro',
      'Belo Horizonte',
      'Curitiba',
      'Porto Alegre',
      'Recife',
      'Salvador',
      'Fortaleza',
      'Brasília',
      'Campinas',
    ],
    companySuffixes: ['Ltda.', 'S.A.', 'e Filhos', 'Comércio'],
  },
  it: {
    first: [
      'Leonardo',
      'Sofia',
      'Francesco',
      'Giulia',
      'Alessandro',
      'Aurora',
      'Lorenzo',
      'Alice',
      'Mattia',
      'Ginevra',
      'Tommaso',
      'Emma',
    ],
    last: [
      'Rossi',
      'Russo',
      'Ferrari',
      'Esposito',
      'Bianchi',
      'Romano',
      'Colombo',
      'Ricci',
      'Marino',
      'Greco',
      'Bruno',
      'Gallo',
    ],
    cities: [
      'Roma',
      'Milano',
      'Napoli',
      'Torino',
      'Bologna',
      'Firenze',
      'Genova',
      'Verona',
      'Padova',
      'Trieste',
      'Bari',
    ],
    companySuffixes: ['S.p.A.', 'S.r.l.', 'e Figli', 'Gruppo'],
  },
  ja: {
    first: ['陽翔', '蓮', '結菜', '陽葵', '湊', '凛', '大和', '芽依', '悠真', 'さくら', '翔太', '美咲'],
    last: ['佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '山本', '中村', '小林', '加藤', '吉田', '山田'],
    cities: ['東京', '大阪', '横浜', '名古屋', '札幌', '福岡', '神戸', '京都', '仙台', '広島'],
    companySuffixes: ['株式会社', '合同会社', '工業', '商事'],
  },
};

const COMPANY_WORDS = [
  'Northwind',
  'Blue Harbor',
  'Pinecrest',
  'Lumen',
  'Granite',
  'Brightline',
  'Summit',
  'Meridian',
  'Halcyon',
  'Riverstone',
  'Vertex',
  'Copperleaf',
  'Evergreen',
  'Polaris',
  'Redwood',
  'Atlas',
];
const TLDS = ['com', 'io', 'co', 'net', 'org', 'dev', 'ai'];

export function namesFor(lang: Lang, rng: Rng): Names {
  const l = LISTS[lang];
  return {
    firstName: () => rng.pick(l.first),
    lastName: () => rng.pick(l.last),
    city: () => rng.pick(l.cities),
    company: () =>
      rng.chance(0.5)
        ? `${rng.pick(l.last)} ${rng.pick(l.companySuffixes)}`
        : `${rng.pick(COMPANY_WORDS)} ${rng.pick(l.companySuffixes)}`,
  };
}

/** A company's web domain: ASCII, lower-case, like `pinecrest-labs.io`. */
export function domainName(rng: Rng): string {
  const word = rng
    .pick(COMPANY_WORDS)
    .toLowerCase()
    .replace(/[^a-z]+/g, '-');
  const suffix = rng.chance(0.5) ? `-${rng.pick(['labs', 'systems', 'group', 'cloud', 'tech', 'data'])}` : '';
  return `${word}${suffix}.${rng.pick(TLDS)}`;
}
