/**
 * Types for the part of the `sentiment` package (CommonJS, untyped) that priority.ts uses: its
 * English language module, the AFINN-165 lexicon with the package's negation rule.
 */
declare module 'sentiment/languages/en/index.js' {
  const english: {
    /** word ▶ score -5..+5. Shared with the package: read, never write. */
    labels: Readonly<Record<string, number>>;
    scoringStrategy: {
      /** A negator ("not", "don't"...) right before the word flips its sign. */
      apply(tokens: string[], cursor: number, tokenScore: number): number;
    };
  };
  export default english;
}

declare module 'sentiment/lib/tokenize.js' {
  /** Lower-cases, turns punctuation into spaces and splits on spaces. */
  const tokenize: (input: string) => string[];
  export default tokenize;
}
