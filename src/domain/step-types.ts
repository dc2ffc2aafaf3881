import { z } from 'zod';

/** The StepType enum of the brief (docs/brief.md): integer values are stored, names are shown. */
export enum StepType {
  Think = 0,
  Text = 1,
  Retrieval = 2,
  Code = 3,
  WebSearch = 4,
  Card = 5,
  Audio = 6,
  Plot = 7,
  Table = 8,
  Document = 9,
  InputRequest = 10,
  TurnClassifier = 11,
  LangDetection = 12,
}

export type StepTypeName = keyof typeof StepType;

export const STEP_TYPES: readonly StepType[] = Object.values(StepType).filter(
  (v): v is StepType => typeof v === 'number',
);

export function stepTypeName(type: StepType): StepTypeName {
  return StepType[type] as StepTypeName;
}

const text = z.string().min(1);
const url = z.url();
const unit = z.number().min(0).max(1);

/**
 * Content shape per step type. The store rejects content that does not match, because the
 * analytics tables extract fields from it (label/score, language/confidence, question).
 * Extra fields are allowed: agents add metadata we do not index.
 */
export const STEP_CONTENT = {
  [StepType.Think]: z.looseObject({ text }),
  [StepType.Text]: z.looseObject({ text, format: z.enum(['markdown', 'plain']).optional() }),
  [StepType.Retrieval]: z.looseObject({
    query: text,
    documents: z.array(z.looseObject({ id: text, title: text, score: z.number(), snippet: z.string() })),
  }),
  [StepType.Code]: z.looseObject({
    language: text,
    code: text,
    output: z.string().optional(),
    exitCode: z.int().optional(),
  }),
  [StepType.WebSearch]: z.looseObject({
    query: text,
    results: z.array(z.looseObject({ title: text, url, snippet: z.string() })),
  }),
  [StepType.Card]: z.looseObject({
    title: text,
    body: z.string().optional(),
    actions: z.array(z.looseObject({ label: text, url })).optional(),
  }),
  [StepType.Audio]: z.looseObject({
    url,
    mimeType: text,
    durationMs: z.int().nonnegative(),
    transcript: z.string().optional(),
  }),
  [StepType.Plot]: z.looseObject({
    kind: z.enum(['line', 'bar', 'scatter', 'area']),
    title: text,
    series: z.array(z.looseObject({ name: text, points: z.array(z.tuple([z.number(), z.number()])) })).min(1),
  }),
  [StepType.Table]: z.looseObject({
    columns: z.array(text).min(1),
    rows: z.array(z.array(z.union([z.string(), z.number(), z.boolean(), z.null()]))),
  }),
  [StepType.Document]: z.looseObject({ title: text, url, mimeType: text, pages: z.int().positive().optional() }),
  [StepType.InputRequest]: z.looseObject({
    question: text,
    inputType: z.enum(['text', 'choice', 'confirm']),
    options: z.array(text).optional(),
  }),
  [StepType.TurnClassifier]: z.looseObject({ label: text.max(64), score: unit, model: z.string().optional() }),
  [StepType.LangDetection]: z.looseObject({
    language: z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'a BCP 47 tag such as "en" or "pt-BR"'),
    confidence: unit,
  }),
} satisfies Record<StepType, z.ZodType>;

/** What a step says about its turn in the label analytics: a classifier verdict, or a detected language. */
export interface StepLabel {
  source: 'classifier' | 'language';
  label: string;
  score: number;
}

/** The label of a TurnClassifier or LangDetection step's (validated) content; null for every other type. */
export function labelOf(type: StepType, parsed: unknown): StepLabel | null {
  const c = parsed as Record<string, unknown>;
  if (type === StepType.TurnClassifier)
    return { source: 'classifier', label: c['label'] as string, score: c['score'] as number };
  if (type === StepType.LangDetection)
    return { source: 'language', label: c['language'] as string, score: c['confidence'] as number };
  return null;
}
