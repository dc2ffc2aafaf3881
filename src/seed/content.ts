import type { Names } from './names.ts';
import { StepType } from '../domain/step-types.ts';
import { ERRORS, FEATURES, PHRASES, TOOLS, type Label, type Lang, type Profile } from './phrases.ts';
import type { Rng } from './rng.ts';

/**
 * Realistic step content and prompts. Every builder returns what `checkContent` accepts for its
 * type, as JSON text, with an integer duration drawn around what that kind of step takes.
 */

export interface Exchange {
  rng: Rng;
  names: Names;
  profile: Profile;
  lang: Lang;
  label: Label;
  subject: string;
  /** Slot values: t tool, e error, f feature, n number, c company, p person, d domain. */
  vars: Record<string, string>;
}

export function newVars(
  rng: Rng,
  names: Names,
  profile: Profile,
  subject: string,
  domain: string,
): Record<string, string> {
  return {
    s: subject,
    t: rng.pick(TOOLS[profile]),
    e: rng.pick(ERRORS),
    f: rng.pick(FEATURES),
    n: String(rng.pick([2, 3, 5, 8, 10, 12, 20, 30, 45, 50, 100, 500])),
    c: names.company(),
    p: names.firstName(),
    d: domain,
  };
}

const fill = (template: string, vars: Record<string, string>): string =>
  template.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'page';

export function humanPrompt(x: Exchange): string {
  return fill(x.rng.pick(PHRASES[x.lang].prompts[x.label]), x.vars);
}

/** The reply to an InputRequest: an option when there were options, else a short answer. */
export function answerPrompt(x: Exchange, options: readonly string[] | undefined): string {
  if (options?.length && x.rng.chance(0.8)) return x.rng.pick(options);
  return fill(x.rng.pick(PHRASES[x.lang].answers), x.vars);
}

/** An edited prompt: the same intent written again, often with a correction. */
export function editedPrompt(x: Exchange): string {
  const again = humanPrompt(x);
  const template = x.rng.pick(PHRASES[x.lang].edits);
  const lower =
    /^[A-Z][a-z]/.test(again) && !template.startsWith('{0}') ? again.charAt(0).toLowerCase() + again.slice(1) : again;
  return fill(template.replace('{0}', lower), x.vars);
}

export function sessionTitle(x: Exchange): string {
  if (x.rng.chance(0.03)) return x.lang === 'en' ? 'New chat' : cap(PHRASES[x.lang].title.chitchat);
  const word = PHRASES[x.lang].title[x.label];
  return x.lang === 'en' ? `${cap(x.subject)} ${word}` : `${cap(x.subject)}: ${word}`;
}

interface Built {
  content: unknown;
  durationMs: number;
}

const THINK_GOALS: Record<Label, string> = {
  question: 'wants to understand the {s}',
  how_to: 'needs step-by-step instructions for the {s}',
  bug_report: 'hit `{e}` in the {s}',
  feature_request: 'asks for {f} in the {s}',
  complaint: 'is frustrated with the {s}',
  praise: 'is confirming the fix worked',
  chitchat: 'is making small talk',
};
const THINK_NOTES = [
  'They mentioned {t}, so the answer should be specific to it.',
  'This looks like a known issue with {t}.',
  'My earlier answer may have missed a detail.',
  'I should check the knowledge base before answering.',
  'A short answer is enough here.',
  'They probably want something they can paste directly.',
];
const THINK_PLANS = [
  'search the knowledge base first',
  'run a quick snippet to confirm',
  'answer directly with a short list',
  'ask which environment they use',
  'show the numbers in a table',
  'plot the trend so it is visible',
  'look up the latest docs on the web',
];

function think(x: Exchange): Built {
  const { rng, vars } = x;
  const text = fill(
    `The user ${THINK_GOALS[x.label]}. ${rng.pick(THINK_NOTES)} I'll ${rng.pick(THINK_PLANS)}, then ${rng.pick(THINK_PLANS)}.`,
    vars,
  );
  return { content: { text }, durationMs: rng.lognormal(300 + text.length * 6, 0.5, 200, 4000) };
}

function answerText(x: Exchange): string {
  const { rng, vars } = x;
  const p = PHRASES[x.lang];
  const parts = [fill(rng.pick(p.intro[x.label]), vars)];
  if (x.label !== 'praise' && x.label !== 'chitchat') {
    const items = rng.sample(p.bullets, rng.int(2, Math.min(5, p.bullets.length)));
    const numbered = x.label === 'how_to';
    parts.push(items.map((b, i) => `${numbered ? `${i + 1}.` : '-'} ${fill(b, vars)}`).join('\n'));
    if (x.profile === 'developer' && rng.chance(0.35))
      parts.push('```bash\n' + `grep -n "${vars['e']!.split(' ')[0]}" logs/app.log | tail -n ${vars['n']}\n` + '```');
  }
  if (x.label !== 'praise' && x.label !== 'chitchat') parts.push(fill(rng.pick(p.outro), vars));
  return parts.join('\n\n');
}

function text(x: Exchange): Built {
  const body = answerText(x);
  const plain = x.label === 'praise' || x.label === 'chitchat';
  return {
    content: { text: body, format: plain ? 'plain' : 'markdown' },
    durationMs: x.rng.lognormal(350 + body.length * 14, 0.35, 500, 8000),
  };
}

function retrieval(x: Exchange): Built {
  const { rng, vars } = x;
  const titles = [
    '{S}: troubleshooting guide',
    'How {t} handles the {s}',
    'Runbook: {s}',
    'FAQ: {s}',
    'Release notes {v}',
    'Known issues with {t}',
    '{S} best practices',
  ];
  const n = rng.int(2, 5);
  let score = rng.decimal3(0.82, 0.97);
  const documents = rng.sample(titles, n).map((t) => {
    const doc = {
      id: `kb-${rng.int(1000, 99999)}`,
      title: fill(t, { ...vars, S: cap(x.subject), v: `${rng.int(2, 5)}.${rng.int(0, 12)}` }),
      score,
      snippet: fill(rng.pick(PHRASES.en.bullets), vars),
    };
    score = Math.max(0.1, Math.round((score - rng.decimal3(0.02, 0.15)) * 1000) / 1000);
    return doc;
  });
  return {
    content: { query: `${x.subject} ${x.label.replace('_', ' ')}`, documents, topK: 5 },
    durationMs: rng.lognormal(180, 0.6, 50, 800),
  };
}

function searchUrl(x: Exchange, i: number): { title: string; url: string } {
  const { rng, subject } = x;
  const s = slug(subject);
  const S = cap(subject);
  const sites: Record<Profile, readonly (() => { title: string; url: string })[]> = {
    developer: [
      () => ({
        title: `${S} - Stack Overflow`,
        url: `https://stackoverflow.com/questions/${rng.int(40_000_000, 79_999_999)}/${s}`,
      }),
      () => ({
        title: `${S} · Issue #${rng.int(100, 9999)}`,
        url: `https://github.com/${slug(x.vars['t']!)}/${slug(x.vars['t']!)}/issues/${rng.int(100, 9999)}`,
      }),
      () => ({
        title: `${x.vars['t']} documentation: ${S}`,
        url: `https://docs.${slug(x.vars['t']!)}.dev/guides/${s}`,
      }),
    ],
    analyst: [
      () => ({ title: `${S} explained`, url: `https://towardsdatascience.com/${s}-${rng.u32().toString(16)}` }),
      () => ({ title: `${x.vars['t']} docs: ${S}`, url: `https://docs.${slug(x.vars['t']!)}.com/${s}` }),
    ],
    support: [
      () => ({
        title: `${x.vars['t']} Help Center: ${S}`,
        url: `https://help.${slug(x.vars['t']!)}.com/hc/articles/${rng.int(100000, 999999)}-${s}`,
      }),
      () => ({
        title: `${S} | Community`,
        url: `https://community.${slug(x.vars['t']!)}.com/t/${s}/${rng.int(1000, 99999)}`,
      }),
    ],
    researcher: [
      () => ({
        title: `${S} - Wikipedia`,
        url: `https://en.wikipedia.org/wiki/${encodeURIComponent(S.replace(/ /g, '_'))}`,
      }),
      () => ({
        title: `A study of ${subject}`,
        url: `https://arxiv.org/abs/${rng.int(2101, 2610)}.${rng.int(10000, 29999)}`,
      }),
      () => ({
        title: `${S}: a review`,
        url: `https://www.nature.com/articles/s${rng.int(41000, 41599)}-0${rng.int(20, 26)}-${rng.int(10000, 99999)}-${rng.int(0, 9)}`,
      }),
    ],
    casual: [
      () => {
        const sub = rng.pick(['AskReddit', 'travel', 'Cooking', 'personalfinance', 'running']);
        return {
          title: `${S}? : r/${sub}`,
          url: `https://www.reddit.com/r/${sub}/comments/${rng.u32().toString(36)}/${s}`,
        };
      },
      () => ({ title: `The best ${subject} ideas`, url: `https://www.${x.vars['d']}/blog/${s}` }),
      () => ({
        title: `${S} guide`,
        url: `https://www.nytimes.com/2026/${String(rng.int(1, 12)).padStart(2, '0')}/${String(rng.int(1, 28)).padStart(2, '0')}/${s}.html`,
      }),
    ],
  };
  const list = sites[x.profile];
  return list[(i + rng.int(0, list.length - 1)) % list.length]!();
}

function webSearch(x: Exchange): Built {
  const { rng, vars } = x;
  const results = Array.from({ length: rng.int(3, 6) }, (_, i) => ({
    ...searchUrl(x, i),
    snippet: fill(rng.pick(PHRASES.en.bullets), vars),
  }));
  const query = x.label === 'bug_report' ? `${vars['t']} ${vars['e']}` : `${x.subject} ${vars['t']}`;
  return { content: { query, results }, durationMs: rng.lognormal(900, 0.5, 300, 3000) };
}

const SNIPPETS: Record<string, readonly [string, string][]> = {
  python: [
    [
      'import pandas as pd\n\ndf = pd.read_csv("{file}")\nprint(df.groupby("region")["revenue"].sum().round(2))',
      'region\nEMEA     {a}\nNA       {b}\nAPAC     {c}\nName: revenue, dtype: float64',
    ],
    [
      'import requests\n\nr = requests.get("https://api.{d}/v1/status", timeout={n})\nprint(r.status_code, r.elapsed.total_seconds())',
      '200 {x}',
    ],
  ],
  sql: [
    [
      "SELECT date_trunc('week', created_at) AS week, count(*) AS signups\nFROM users\nWHERE created_at >= now() - interval '{n} days'\nGROUP BY 1\nORDER BY 1;",
      ' week       | signups\n------------+--------\n 2026-09-28 | {a}\n 2026-10-05 | {b}\n({n} rows)',
    ],
  ],
  typescript: [
    [
      'const res = await fetch("https://api.{d}/v1/exports", { method: "POST" });\nconsole.log(res.status, await res.text());',
      '202 {"id":"exp_{x}","status":"queued"}',
    ],
  ],
  bash: [
    ['kubectl logs deploy/api --since=1h | grep -c "{e0}"', '{a}'],
    ['curl -s -o /dev/null -w "%{http_code} %{time_total}\\n" https://api.{d}/health', '200 {x}'],
  ],
};
const CODE_LANGS: Record<Profile, readonly string[]> = {
  developer: ['typescript', 'bash', 'python', 'sql'],
  analyst: ['python', 'sql'],
  support: ['sql', 'bash'],
  researcher: ['python'],
  casual: ['python'],
};

function code(x: Exchange): Built {
  const { rng, vars } = x;
  const language = rng.pick(CODE_LANGS[x.profile]);
  const [src, out] = rng.pick(SNIPPETS[language]!);
  const slots = {
    ...vars,
    file: `${slug(x.subject)}.csv`,
    e0: vars['e']!.split(':')[0]!,
    a: String(rng.int(10, 9000)),
    b: String(rng.int(10, 9000)),
    c: String(rng.int(10, 9000)),
    x: (rng.next() * 2).toFixed(3),
  };
  const failed = rng.chance(0.1);
  const content = failed
    ? {
        language,
        code: fill(src, slots),
        output:
          language === 'python'
            ? `Traceback (most recent call last):\n  File "<stdin>", line 3, in <module>\n${vars['e']}`
            : `Error: ${vars['e']}`,
        exitCode: 1,
      }
    : { language, code: fill(src, slots), output: fill(out, slots), exitCode: 0 };
  return { content, durationMs: rng.lognormal(1200, 0.9, 100, 10000) };
}

const METRICS: Record<Profile, readonly string[]> = {
  developer: ['p95 latency (ms)', 'Error rate (%)', 'Requests per second', 'Memory (MB)'],
  analyst: ['Revenue', 'Signups', 'Churn rate (%)', 'Active users', 'Orders'],
  support: ['Tickets opened', 'First response time (h)', 'CSAT'],
  researcher: ['Efficiency (%)', 'Citations', 'Temperature (°C)'],
  casual: ['Price (€)', 'Distance (km)', 'Pages read'],
};

function plot(x: Exchange): Built {
  const { rng } = x;
  const metric = rng.pick(METRICS[x.profile]);
  const names = rng.pick([['2025', '2026'], ['control', 'variant'], ['staging', 'production'], [metric]]);
  const len = rng.int(6, 24);
  const series = names.map((name) => {
    let y = metric.includes('%') ? 1 + rng.next() * 30 : 10 + rng.next() * 500;
    return {
      name,
      points: Array.from({ length: len }, (_, i): [number, number] => [
        i + 1,
        Math.round((y = Math.max(0, y * (0.9 + rng.next() * 0.22))) * 100) / 100,
      ]),
    };
  });
  const kind = rng.pick(['line', 'line', 'bar', 'scatter', 'area'] as const);
  return {
    content: { kind, title: `${metric} by ${rng.pick(['week', 'day', 'month'])}`, series },
    durationMs: rng.lognormal(600, 0.5, 150, 3000),
  };
}

function table(x: Exchange): Built {
  const { rng, names } = x;
  const n = rng.int(3, 10);
  type Kind = { columns: string[]; row: () => (string | number | boolean | null)[] };
  const regions: Kind = {
    columns: ['region', 'orders', 'revenue', 'growth'],
    row: () => [
      rng.pick(['EMEA', 'North America', 'APAC', 'LATAM']),
      rng.int(20, 5000),
      Math.round(rng.next() * 1e6) / 100,
      rng.decimal3(-0.2, 0.4),
    ],
  };
  const customers: Kind = {
    columns: ['customer', 'plan', 'seats', 'active'],
    row: () => [
      names.company(),
      rng.pick(['Free', 'Team', 'Business', 'Enterprise']),
      rng.int(1, 400),
      rng.chance(0.85),
    ],
  };
  const endpoints: Kind = {
    columns: ['endpoint', 'p50 ms', 'p99 ms', 'errors'],
    row: () => [
      `/${rng.pick(['v1', 'v2'])}/${rng.pick(['orders', 'users', 'exports', 'search'])}`,
      rng.int(5, 120),
      rng.int(120, 3000),
      rng.chance(0.2) ? null : rng.int(0, 50),
    ],
  };
  const studies: Kind = {
    columns: ['study', 'year', 'n', 'effect size'],
    row: () => [`${names.lastName()} et al.`, rng.int(2008, 2026), rng.int(20, 5000), rng.decimal3(-0.5, 1.2)],
  };
  const options: Kind = {
    columns: ['option', 'price', 'rating'],
    row: () => [names.city(), rng.int(40, 900), rng.decimal3(3, 5)],
  };
  const byProfile: Record<Profile, readonly Kind[]> = {
    developer: [endpoints],
    analyst: [regions, customers],
    support: [customers],
    researcher: [studies],
    casual: [options],
  };
  const k = rng.pick(byProfile[x.profile]);
  return {
    content: { columns: k.columns, rows: Array.from({ length: n }, k.row) },
    durationMs: rng.lognormal(300, 0.5, 80, 1500),
  };
}

function document(x: Exchange): Built {
  const { rng, vars } = x;
  const [mimeType, ext] = rng.pick([
    ['application/pdf', 'pdf'],
    ['application/pdf', 'pdf'],
    ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx'],
    ['text/csv', 'csv'],
  ] as const);
  const kind = rng.pick(['runbook', 'spec', 'quarterly report', 'contract', 'whitepaper', 'itinerary', 'checklist']);
  const content = {
    title: `${cap(x.subject)} ${kind}`,
    url: `https://files.${vars['d']}/${slug(x.subject)}-${slug(kind)}-${rng.int(1, 99)}.${ext}`,
    mimeType,
    ...(ext === 'csv' ? {} : { pages: rng.int(1, 48) }),
  };
  return { content, durationMs: rng.lognormal(1200, 0.6, 200, 6000) };
}

function card(x: Exchange): Built {
  const { rng, vars } = x;
  const actions = rng
    .sample(
      ['Open ticket', 'View docs', 'Book now', 'Open in Maps', 'View dashboard', 'Contact support'],
      rng.int(1, 2),
    )
    .map((label) => ({ label, url: `https://app.${vars['d']}/${slug(label)}/${rng.int(1000, 99999)}` }));
  return {
    content: { title: cap(x.subject), body: fill(rng.pick(PHRASES[x.lang].bullets), vars), actions },
    durationMs: rng.lognormal(120, 0.5, 30, 600),
  };
}

function audio(x: Exchange): Built {
  const { rng, vars } = x;
  const transcript = fill(rng.pick(PHRASES[x.lang].intro[x.label]), vars);
  const ogg = rng.chance(0.3);
  const content = {
    url: `https://media.${vars['d']}/tts/${rng.u32().toString(36)}${rng.u32().toString(36)}.${ogg ? 'ogg' : 'mp3'}`,
    mimeType: ogg ? 'audio/ogg' : 'audio/mpeg',
    durationMs: Math.round(transcript.length * 65 + rng.int(300, 1500)),
    transcript,
  };
  return { content, durationMs: rng.lognormal(4000, 0.6, 1000, 20000) };
}

function inputRequest(x: Exchange): Built & { options?: readonly string[] } {
  const { rng, vars } = x;
  const ask = rng.pick(PHRASES[x.lang].asks);
  const inputType = ask.options ? 'choice' : ask.confirm ? 'confirm' : 'text';
  const content = {
    question: fill(ask.question, vars),
    inputType,
    ...(ask.options ? { options: [...ask.options] } : {}),
  };
  return { content, durationMs: rng.lognormal(150, 0.5, 40, 800), ...(ask.options ? { options: ask.options } : {}) };
}

const CLASSIFIER_MODEL = 'intent-clf-2.3';

/** Usually right and confident; sometimes another label with a lower score. */
function classifier(x: Exchange, labels: readonly Label[]): Built {
  const { rng } = x;
  const right = rng.chance(0.86);
  const label = right ? x.label : rng.pick(labels.filter((l) => l !== x.label));
  const score = right ? Math.round((0.999 - 0.449 * rng.next() ** 1.8) * 1000) / 1000 : rng.decimal3(0.3, 0.7);
  return { content: { label, score, model: CLASSIFIER_MODEL }, durationMs: rng.lognormal(60, 0.5, 20, 200) };
}

function langDetection(x: Exchange, promptLength: number): Built {
  const { rng } = x;
  const confidence = promptLength < 25 ? rng.decimal3(0.55, 0.9) : rng.decimal3(0.88, 0.999);
  return { content: { language: x.lang, confidence, model: 'lid-176' }, durationMs: rng.lognormal(12, 0.5, 5, 40) };
}

export interface BuiltStep {
  type: StepType;
  content: string;
  durationMs: number;
  options?: readonly string[];
}

export function buildStep(
  type: StepType,
  x: Exchange,
  extra: { labels: readonly Label[]; promptLength: number },
): BuiltStep {
  let b: Built & { options?: readonly string[] };
  switch (type) {
    case StepType.Think:
      b = think(x);
      break;
    case StepType.Text:
      b = text(x);
      break;
    case StepType.Retrieval:
      b = retrieval(x);
      break;
    case StepType.Code:
      b = code(x);
      break;
    case StepType.WebSearch:
      b = webSearch(x);
      break;
    case StepType.Card:
      b = card(x);
      break;
    case StepType.Audio:
      b = audio(x);
      break;
    case StepType.Plot:
      b = plot(x);
      break;
    case StepType.Table:
      b = table(x);
      break;
    case StepType.Document:
      b = document(x);
      break;
    case StepType.InputRequest:
      b = inputRequest(x);
      break;
    case StepType.TurnClassifier:
      b = classifier(x, extra.labels);
      break;
    case StepType.LangDetection:
      b = langDetection(x, extra.promptLength);
      break;
  }
  return {
    type,
    content: JSON.stringify(b.content),
    durationMs: b.durationMs,
    ...(b.options ? { options: b.options } : {}),
  };
}
