/**
 * The words the generator writes with: subjects per usage profile and sentence templates per
 * language and intent. Slots: {s} subject, {t} a tool or product, {e} an error, {f} a feature,
 * {n} a number, {c} a company, {p} a person's first name.
 */

export const LABELS = [
  'question',
  'how_to',
  'bug_report',
  'feature_request',
  'complaint',
  'praise',
  'chitchat',
] as const;
export type Label = (typeof LABELS)[number];

export const LANGUAGES = ['en', 'de', 'fr', 'es', 'pt-BR', 'it', 'ja'] as const;
export type Lang = (typeof LANGUAGES)[number];
/** Share of accounts whose primary language it is. */
export const LANGUAGE_WEIGHTS: readonly number[] = [58, 10, 8, 9, 7, 4, 4];
/** Typical UTC offsets (hours) of an account writing in the language. */
export const LANGUAGE_UTC_OFFSETS: Record<Lang, readonly number[]> = {
  en: [-8, -5, -5, 0, 1, 5.5, 10],
  de: [1],
  fr: [1],
  es: [1, -6, -3],
  'pt-BR': [-3],
  it: [1],
  ja: [9],
};

export const PROFILES = ['developer', 'analyst', 'support', 'researcher', 'casual'] as const;
export type Profile = (typeof PROFILES)[number];

export const SUBJECTS: Record<Profile, readonly string[]> = {
  developer: [
    'CSV export endpoint',
    'webhook retry logic',
    'flaky integration test',
    'Postgres connection pool',
    'Docker build cache',
    'OAuth token refresh',
    'memory leak in the queue worker',
    'Kubernetes liveness probe',
    'TypeScript generics',
    'GraphQL schema',
    'API rate limiter',
    'CI pipeline',
    'React re-renders',
    'S3 presigned URLs',
    'database migration',
    'feature flag rollout',
    'Redis cache invalidation',
    'gRPC timeout',
    'Terraform state lock',
    'login redirect loop',
  ],
  analyst: [
    'monthly churn report',
    'Q3 revenue dashboard',
    'cohort retention chart',
    'pivot table',
    'signup funnel',
    'weekly active users',
    'A/B test result',
    'seasonality in sales',
    'customer lifetime value',
    'marketing attribution model',
    'inventory forecast',
    'NPS survey export',
    'regional sales breakdown',
    'pricing experiment',
    'data warehouse sync',
  ],
  support: [
    'refund request',
    'SSO setup for a customer',
    'invoice with the wrong VAT',
    'shipping delay email',
    'password reset flow',
    'escalation policy',
    'subscription downgrade',
    'chargeback dispute',
    'onboarding checklist',
    'macro for order status',
    'duplicate charge',
    'account deletion request',
    'SLA breach report',
  ],
  researcher: [
    'transformer attention',
    'solar panel efficiency',
    '2008 financial crisis',
    'CRISPR off-target effects',
    'urban heat islands',
    'sleep and memory consolidation',
    'lithium supply chain',
    'microplastics in rivers',
    'protein folding',
    'carbon pricing',
    'antibiotic resistance',
    'remote work productivity',
    'battery degradation',
  ],
  casual: [
    'trip to Lisbon',
    'birthday gift for my sister',
    'vegetarian lasagna recipe',
    'half-marathon training plan',
    'cover letter',
    'balcony herb garden',
    'weekend in the mountains',
    'budget for moving out',
    'book club pick',
    'wedding toast',
    'sourdough starter',
    'job interview prep',
    'kitchen renovation',
    'Spanish study routine',
  ],
};

export const TOOLS: Record<Profile, readonly string[]> = {
  developer: [
    'Postgres',
    'Redis',
    'Kafka',
    'GitHub Actions',
    'Kubernetes',
    'Next.js',
    'Node 20',
    'Python 3.12',
    'Terraform',
    'Nginx',
    'ScyllaDB',
  ],
  analyst: ['BigQuery', 'Snowflake', 'Looker', 'Excel', 'pandas', 'dbt', 'Tableau', 'Google Sheets', 'Metabase'],
  support: ['Zendesk', 'Intercom', 'Stripe', 'Salesforce', 'HubSpot', 'Okta', 'Shopify'],
  researcher: ['Google Scholar', 'arXiv', 'Zotero', 'R', 'PubMed', 'JSTOR'],
  casual: ['Google Maps', 'Airbnb', 'Spotify', 'Notion', 'a spreadsheet', 'my phone'],
};

export const ERRORS: readonly string[] = [
  'ECONNRESET',
  "TypeError: Cannot read properties of undefined (reading 'id')",
  '500 Internal Server Error',
  '429 Too Many Requests',
  'OOMKilled',
  'permission denied (publickey)',
  'deadlock detected',
  "ModuleNotFoundError: No module named 'pandas'",
  'ETIMEDOUT',
  'SSL: CERTIFICATE_VERIFY_FAILED',
  'CrashLoopBackOff',
  '401 Unauthorized',
  'duplicate key value violates unique constraint',
];

export const FEATURES: readonly string[] = [
  'dark mode',
  'SAML single sign-on',
  'bulk editing',
  'webhooks',
  'two-factor authentication',
  'custom fields',
  'Excel export',
  'scheduled reports',
  'an audit log',
  'keyboard shortcuts',
  'Slack notifications',
  'offline mode',
];

export interface LangPhrases {
  prompts: Record<Label, readonly string[]>;
  intro: Record<Label, readonly string[]>;
  bullets: readonly string[];
  outro: readonly string[];
  asks: readonly { question: string; options?: readonly string[]; confirm?: boolean }[];
  answers: readonly string[];
  edits: readonly string[];
  title: Record<Label, string>;
}

const en: LangPhrases = {
  prompts: {
    question: [
      "What's the difference between the {s} and what {t} does out of the box?",
      'Is it possible to use the {s} together with {t}?',
      'Why does the {s} behave differently in production than on my laptop?',
      'Quick question: does the {s} support {f}?',
      'Can you explain how the {s} works? {p} asked me and I was not sure.',
    ],
    how_to: [
      'How do I set up the {s} with {t}?',
      "What's the best way to test the {s}?",
      'Can you walk me through the {s} step by step?',
      'Show me how to move the {s} over to {t}.',
      'How would you structure the {s} for a team of {n}?',
    ],
    bug_report: [
      'The {s} fails with `{e}` since yesterday.',
      "I'm getting {e} whenever I touch the {s}. It worked last week.",
      'After upgrading {t}, the {s} throws {e} for about {n}% of requests.',
      'Something is off with the {s}: {e}, and nothing in the logs.',
    ],
    feature_request: [
      'It would be great if the {s} supported {f}.',
      'Can you add {f} to the {s}? We need it for {c}.',
      'Feature idea: let me schedule the {s} every week.',
      'Any plans for {f}? The {s} is painful without it.',
    ],
    complaint: [
      'This is the third time the {s} broke this week. Really frustrating.',
      'Your last answer about the {s} was wrong and cost me an hour.',
      'The {s} is way too slow, it takes {n} seconds every time.',
      'Honestly the {s} has been a mess since the update.',
    ],
    praise: [
      'That worked perfectly, thanks!',
      'Great explanation of the {s}, really helpful.',
      'Wow, the fix for the {s} works. You saved my afternoon.',
      'Perfect, exactly what I needed for the {s}.',
    ],
    chitchat: [
      'Hi! How are you today?',
      'Good morning :) ready for another long day?',
      'Haha, do you ever get tired of these questions?',
      'Thanks, have a nice weekend!',
    ],
  },
  intro: {
    question: [
      'Good question. In short, the {s} works like this:',
      'Yes, mostly. A few details matter for the {s}:',
      'Here is how the {s} fits together with {t}:',
    ],
    how_to: [
      "Here's how to set up the {s}:",
      'Sure, step by step for the {s}:',
      'The simplest way to do this with {t}:',
    ],
    bug_report: [
      "Sorry about that, let's get the {s} working again.",
      'That error usually means something specific. Try this:',
      '`{e}` on the {s} is usually one of these:',
    ],
    feature_request: [
      'Thanks for the suggestion! While {f} is not built in yet, you can get close:',
      "I've noted the request for {f}. Meanwhile:",
    ],
    complaint: [
      "I'm sorry, that's frustrating. Let's fix the {s} properly this time:",
      "You're right, my earlier answer was wrong. Corrected version:",
    ],
    praise: ['Glad it worked!', 'Happy to help, nice work getting the {s} running.'],
    chitchat: ['Hi! Doing well, thanks for asking.', 'Always ready :)', 'Thanks, you too!'],
  },
  bullets: [
    'Check that the {s} has the right credentials for {t}.',
    'Restart the worker after changing the configuration.',
    'Run the same request with verbose logging to see where it stops.',
    'Increase the timeout to {n} seconds and retry.',
    'Pin {t} to the last known good version.',
    'Compare the settings between staging and production.',
    'Split the job into smaller batches of {n}.',
    'Add a test that reproduces the problem before changing anything.',
    'Clear the cache and try once more.',
    'Write down what changed since it last worked.',
    'Ask {p} to review the change before it ships.',
  ],
  outro: [
    'Let me know if the error persists.',
    'Want me to write the full script?',
    'Does that answer your question?',
    'Happy to go deeper on any step.',
  ],
  asks: [
    { question: 'Which environment should I run this against?', options: ['staging', 'production', 'local'] },
    { question: 'Should I apply the change to the {s} now?', confirm: true },
    { question: 'Can you paste the full error message you see?' },
    { question: 'Which format do you want the export in?', options: ['CSV', 'Excel', 'PDF'] },
  ],
  answers: [
    'Yes, go ahead.',
    'staging please',
    'Production, but be careful.',
    'Here it is: {e}',
    'CSV is fine.',
    'No, wait. Let me check with {p} first.',
  ],
  edits: ['Actually, {0}', '{0} (using {t})', 'Sorry, typo: {0}', '{0} Please keep it short.'],
  title: {
    question: 'question',
    how_to: 'setup',
    bug_report: 'troubleshooting',
    feature_request: 'feature idea',
    complaint: 'issues',
    praise: 'follow-up',
    chitchat: 'chat',
  },
};

const de: LangPhrases = {
  prompts: {
    question: ['Was ist der Unterschied zwischen {s} und {t}?', 'Unterstützt {s} eigentlich {f}?'],
    how_to: ['Wie richte ich {s} mit {t} ein?', 'Kannst du mir {s} Schritt für Schritt erklären?'],
    bug_report: ['{s} bricht seit gestern mit `{e}` ab.', 'Ich bekomme {e}, sobald ich {s} benutze.'],
    feature_request: ['Es wäre super, wenn {s} {f} hätte.', 'Könnt ihr {f} einbauen? Wir brauchen das für {c}.'],
    complaint: [
      'Schon wieder funktioniert {s} nicht. Langsam nervt das.',
      '{s} dauert jedes Mal {n} Sekunden, viel zu langsam.',
    ],
    praise: ['Hat perfekt funktioniert, danke!', 'Super Erklärung, sehr hilfreich.'],
    chitchat: ['Hallo! Wie geht es dir heute?', 'Danke, schönes Wochenende!'],
  },
  intro: {
    question: ['Gute Frage. Kurz gesagt:'],
    how_to: ['So richtest du {s} ein:'],
    bug_report: ['Das tut mir leid. Versuch bitte Folgendes:'],
    feature_request: ['Danke für den Vorschlag! Bis dahin geht es so:'],
    complaint: ['Verständlich, dass das nervt. Diesmal richtig:'],
    praise: ['Freut mich, dass es klappt!'],
    chitchat: ['Hallo! Mir geht es gut, danke.'],
  },
  bullets: [
    'Prüfe die Zugangsdaten für {t}.',
    'Starte den Dienst nach der Änderung neu.',
    'Erhöhe das Timeout auf {n} Sekunden.',
    'Vergleiche die Einstellungen von Staging und Produktion.',
    'Teile den Job in kleinere Pakete auf.',
  ],
  outro: ['Sag Bescheid, falls der Fehler bleibt.', 'Soll ich das komplette Skript schreiben?'],
  asks: [
    { question: 'Soll ich die Änderung jetzt anwenden?', confirm: true },
    { question: 'Welche Umgebung?', options: ['Staging', 'Produktion'] },
  ],
  answers: ['Ja, bitte.', 'Staging bitte.', 'Nein, warte kurz.'],
  edits: ['Korrektur: {0}', '{0} (mit {t})'],
  title: {
    question: 'Frage',
    how_to: 'Einrichtung',
    bug_report: 'Fehlersuche',
    feature_request: 'Wunsch',
    complaint: 'Probleme',
    praise: 'Feedback',
    chitchat: 'Plaudern',
  },
};

const fr: LangPhrases = {
  prompts: {
    question: ['Quelle est la différence entre {s} et {t} ?', 'Est-ce que {s} prend en charge {f} ?'],
    how_to: ['Comment configurer {s} avec {t} ?', 'Tu peux m’expliquer {s} étape par étape ?'],
    bug_report: ['{s} plante avec `{e}` depuis hier.', 'J’ai l’erreur {e} dès que j’utilise {s}.'],
    feature_request: ['Ce serait génial si {s} gérait {f}.', 'Vous pouvez ajouter {f} ? On en a besoin chez {c}.'],
    complaint: [
      'Encore une fois {s} ne marche pas. C’est pénible.',
      '{s} prend {n} secondes à chaque fois, beaucoup trop lent.',
    ],
    praise: ['Ça marche parfaitement, merci !', 'Super explication, très utile.'],
    chitchat: ['Salut ! Comment ça va aujourd’hui ?', 'Merci, bon week-end !'],
  },
  intro: {
    question: ['Bonne question. En bref :'],
    how_to: ['Voici comment configurer {s} :'],
    bug_report: ['Désolé pour ça. Essaie ceci :'],
    feature_request: ['Merci pour l’idée ! En attendant :'],
    complaint: ['Je comprends, c’est frustrant. Cette fois correctement :'],
    praise: ['Content que ça marche !'],
    chitchat: ['Salut ! Ça va bien, merci.'],
  },
  bullets: [
    'Vérifie les identifiants pour {t}.',
    'Redémarre le service après la modification.',
    'Augmente le délai à {n} secondes.',
    'Compare la configuration entre préproduction et production.',
  ],
  outro: ['Dis-moi si l’erreur persiste.', 'Tu veux que j’écrive le script complet ?'],
  asks: [
    { question: 'Je peux appliquer la modification maintenant ?', confirm: true },
    { question: 'Quel format pour l’export ?', options: ['CSV', 'Excel'] },
  ],
  answers: ['Oui, vas-y.', 'CSV, merci.', 'Non, attends un peu.'],
  edits: ['Correction : {0}', '{0} (avec {t})'],
  title: {
    question: 'question',
    how_to: 'configuration',
    bug_report: 'dépannage',
    feature_request: 'suggestion',
    complaint: 'problèmes',
    praise: 'retour',
    chitchat: 'discussion',
  },
};

const es: LangPhrases = {
  prompts: {
    question: ['¿Cuál es la diferencia entre {s} y {t}?', '¿{s} admite {f}?'],
    how_to: ['¿Cómo configuro {s} con {t}?', '¿Me explicas {s} paso a paso?'],
    bug_report: ['{s} falla con `{e}` desde ayer.', 'Me sale {e} cada vez que uso {s}.'],
    feature_request: ['Sería genial que {s} tuviera {f}.', '¿Podéis añadir {f}? Lo necesitamos en {c}.'],
    complaint: ['Otra vez {s} no funciona. Qué frustración.', '{s} tarda {n} segundos cada vez, demasiado lento.'],
    praise: ['¡Funcionó perfecto, gracias!', 'Muy buena explicación, me ayudó mucho.'],
    chitchat: ['¡Hola! ¿Qué tal estás hoy?', '¡Gracias, buen fin de semana!'],
  },
  intro: {
    question: ['Buena pregunta. En resumen:'],
    how_to: ['Así se configura {s}:'],
    bug_report: ['Lo siento. Prueba esto:'],
    feature_request: ['¡Gracias por la idea! Mientras tanto:'],
    complaint: ['Entiendo la frustración. Esta vez bien:'],
    praise: ['¡Me alegra que funcione!'],
    chitchat: ['¡Hola! Muy bien, gracias.'],
  },
  bullets: [
    'Revisa las credenciales de {t}.',
    'Reinicia el servicio después del cambio.',
    'Sube el tiempo de espera a {n} segundos.',
    'Divide el trabajo en lotes más pequeños.',
  ],
  outro: ['Avísame si el error continúa.', '¿Quieres que escriba el script completo?'],
  asks: [
    { question: '¿Aplico el cambio ahora?', confirm: true },
    { question: '¿En qué entorno?', options: ['staging', 'producción'] },
  ],
  answers: ['Sí, adelante.', 'En staging, por favor.', 'No, espera.'],
  edits: ['Corrijo: {0}', '{0} (con {t})'],
  title: {
    question: 'pregunta',
    how_to: 'configuración',
    bug_report: 'errores',
    feature_request: 'sugerencia',
    complaint: 'problemas',
    praise: 'comentarios',
    chitchat: 'charla',
  },
};

const ptBR: LangPhrases = {
  prompts: {
    question: ['Qual a diferença entre {s} e {t}?', 'O {s} suporta {f}?'],
    how_to: ['Como eu configuro {s} com {t}?', 'Pode me explicar {s} passo a passo?'],
    bug_report: ['{s} está falhando com `{e}` desde ontem.', 'Recebo {e} sempre que uso {s}.'],
    feature_request: ['Seria ótimo se {s} tivesse {f}.', 'Vocês podem adicionar {f}? Precisamos disso na {c}.'],
    complaint: ['De novo {s} não funciona. Que frustrante.', '{s} leva {n} segundos toda vez, lento demais.'],
    praise: ['Funcionou perfeitamente, valeu!', 'Ótima explicação, ajudou muito.'],
    chitchat: ['Oi! Tudo bem com você?', 'Valeu, bom fim de semana!'],
  },
  intro: {
    question: ['Boa pergunta. Resumindo:'],
    how_to: ['Veja como configurar {s}:'],
    bug_report: ['Poxa, desculpe. Tente isto:'],
    feature_request: ['Obrigado pela sugestão! Enquanto isso:'],
    complaint: ['Entendo a frustração. Desta vez do jeito certo:'],
    praise: ['Que bom que funcionou!'],
    chitchat: ['Oi! Tudo ótimo, obrigado.'],
  },
  bullets: [
    'Confira as credenciais do {t}.',
    'Reinicie o serviço depois da mudança.',
    'Aumente o timeout para {n} segundos.',
    'Divida o job em lotes menores.',
  ],
  outro: ['Me avise se o erro continuar.', 'Quer que eu escreva o script completo?'],
  asks: [
    { question: 'Posso aplicar a mudança agora?', confirm: true },
    { question: 'Qual formato?', options: ['CSV', 'Excel'] },
  ],
  answers: ['Sim, pode seguir.', 'CSV, por favor.', 'Não, espera um pouco.'],
  edits: ['Corrigindo: {0}', '{0} (com {t})'],
  title: {
    question: 'dúvida',
    how_to: 'configuração',
    bug_report: 'erros',
    feature_request: 'sugestão',
    complaint: 'problemas',
    praise: 'feedback',
    chitchat: 'conversa',
  },
};

const it: LangPhrases = {
  prompts: {
    question: ['Qual è la differenza tra {s} e {t}?', '{s} supporta {f}?'],
    how_to: ['Come configuro {s} con {t}?', 'Mi spieghi {s} passo per passo?'],
    bug_report: ['{s} fallisce con `{e}` da ieri.', 'Ricevo {e} ogni volta che uso {s}.'],
    feature_request: ['Sarebbe fantastico se {s} avesse {f}.', 'Potete aggiungere {f}? Ci serve per {c}.'],
    complaint: ['Di nuovo {s} non funziona. Che frustrazione.', '{s} ci mette {n} secondi ogni volta.'],
    praise: ['Ha funzionato alla perfezione, grazie!', 'Spiegazione ottima, molto utile.'],
    chitchat: ['Ciao! Come stai oggi?', 'Grazie, buon fine settimana!'],
  },
  intro: {
    question: ['Bella domanda. In breve:'],
    how_to: ['Ecco come configurare {s}:'],
    bug_report: ['Mi dispiace. Prova così:'],
    feature_request: ['Grazie per l’idea! Nel frattempo:'],
    complaint: ['Capisco la frustrazione. Questa volta bene:'],
    praise: ['Felice che funzioni!'],
    chitchat: ['Ciao! Tutto bene, grazie.'],
  },
  bullets: [
    'Controlla le credenziali di {t}.',
    'Riavvia il servizio dopo la modifica.',
    'Aumenta il timeout a {n} secondi.',
  ],
  outro: ['Fammi sapere se l’errore persiste.', 'Vuoi che scriva lo script completo?'],
  asks: [{ question: 'Applico la modifica adesso?', confirm: true }],
  answers: ['Sì, procedi.', 'No, aspetta.'],
  edits: ['Correggo: {0}'],
  title: {
    question: 'domanda',
    how_to: 'configurazione',
    bug_report: 'errori',
    feature_request: 'proposta',
    complaint: 'problemi',
    praise: 'feedback',
    chitchat: 'chiacchiere',
  },
};

const ja: LangPhrases = {
  prompts: {
    question: ['{s}と{t}の違いは何ですか？', '{s}は{f}に対応していますか？'],
    how_to: ['{t}で{s}を設定するにはどうすればいいですか？', '{s}の手順を教えてください。'],
    bug_report: ['昨日から{s}が`{e}`で失敗します。', '{s}を使うたびに{e}が出ます。'],
    feature_request: ['{s}に{f}があると助かります。', '{f}を追加してもらえますか？{c}で必要です。'],
    complaint: ['また{s}が動きません。困ります。', '{s}が毎回{n}秒かかって遅すぎます。'],
    praise: ['完璧に動きました、ありがとう！', 'とても分かりやすい説明でした。'],
    chitchat: ['こんにちは！今日の調子はどうですか？', 'ありがとう、良い週末を！'],
  },
  intro: {
    question: ['良い質問です。要点は次の通りです：'],
    how_to: ['{s}の設定手順です：'],
    bug_report: ['ご不便をおかけしました。次を試してください：'],
    feature_request: ['ご提案ありがとうございます。当面の回避策：'],
    complaint: ['申し訳ありません。今回は正しい手順です：'],
    praise: ['うまくいって良かったです！'],
    chitchat: ['こんにちは！元気です、ありがとう。'],
  },
  bullets: [
    '{t}の認証情報を確認してください。',
    '変更後にサービスを再起動してください。',
    'タイムアウトを{n}秒に増やしてください。',
  ],
  outro: ['エラーが続く場合は教えてください。', 'スクリプト全体を書きましょうか？'],
  asks: [{ question: '今すぐ変更を適用しますか？', confirm: true }],
  answers: ['はい、お願いします。', 'いいえ、少し待ってください。'],
  edits: ['訂正：{0}'],
  title: {
    question: '質問',
    how_to: '設定',
    bug_report: 'トラブル対応',
    feature_request: '機能要望',
    complaint: '問題',
    praise: 'フィードバック',
    chitchat: '雑談',
  },
};

export const PHRASES: Record<Lang, LangPhrases> = { en, de, fr, es, 'pt-BR': ptBR, it, ja };
