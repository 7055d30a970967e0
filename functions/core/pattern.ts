import { RE2JS, RE2JSException } from 're2js';

/**
 * The patterns an admin writes in rules (`matches`) run against text a customer sent, so they must
 * not let that text stall the process. JavaScript's RegExp backtracks: `^(a+)+$` against 28 `a`s
 * and a `!` takes seconds, and a subject may hold 300 characters. Patterns are therefore compiled by
 * re2js, a pure-JavaScript port of RE2, whose automata match in time linear in the text whatever the
 * pattern. RE2 syntax is Perl's without the features that need backtracking: no backreferences
 * (`\1`), no lookahead or lookbehind (`(?=`, `(?!`, `(?<=`), no possessive quantifiers; repeat
 * counts go up to 1000.
 *
 * Linear in the text still multiplies by the size of the compiled program (`(a?){1000}a{1000}`
 * compiles to 5,000 instructions and takes a large fraction of a second per 300 characters), so
 * a pattern is also bounded in length and in compiled size. Everything is checked when the
 * configuration is applied: this module is the one place a rule's pattern is compiled, for checking
 * and for matching alike.
 */

/** Matching is case-insensitive (Unicode case folding: `привет` finds `ПРИВЕТ`), as every other text operator is. */
const FLAGS = RE2JS.CASE_INSENSITIVE;

/** The longest pattern a rule may hold, in characters. */
export const MAX_PATTERN_LENGTH = 1000;

/**
 * The largest compiled program a pattern may become, in RE2 instructions. A 40-word alternation
 * (`\b(refund|invoice|…)\b`) compiles to ~270; `\pL{1000}` or `[\s\S]{1000}` pass this bound.
 */
export const MAX_PATTERN_INSTRUCTIONS = 1000;

export interface CompiledPattern {
  /** The pattern as written. */
  readonly source: string;
  /** The engine that runs it: always the linear-time one. */
  readonly engine: 're2js';
  /** Instructions in the compiled program (bounded by MAX_PATTERN_INSTRUCTIONS). */
  readonly instructions: number;
  /** Whether the pattern matches anywhere in the text. */
  test(text: string): boolean;
}

/** A pattern that cannot be used, with what is wrong in words an admin can act on. */
export class PatternError extends Error {
  override readonly name = 'PatternError';
}

/** Compiles a rule's pattern, or throws PatternError saying why it cannot be used. */
export function compilePattern(source: string): CompiledPattern {
  if (source.length > MAX_PATTERN_LENGTH) throw new PatternError(`is ${source.length} characters long; at most ${MAX_PATTERN_LENGTH}`);
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, FLAGS);
  } catch (error) {
    if (error instanceof RE2JSException) {
      // "error parsing regexp: invalid or unsupported Perl syntax: `(?=`" ▶ the part after the prefix.
      const reason = error.message.replace(/^error parsing regexp:\s*/, '');
      throw new PatternError(`is not valid RE2 syntax (rules run on a linear-time engine): ${reason}`);
    }
    throw error;
  }
  const instructions = programSize(re);
  if (instructions > MAX_PATTERN_INSTRUCTIONS) {
    throw new PatternError(`compiles to ${instructions} instructions; at most ${MAX_PATTERN_INSTRUCTIONS} (use smaller repeat counts)`);
  }
  return { source, engine: 're2js', instructions, test: (text) => re.test(text) };
}

/** The compiled program's size. re2js keeps it on the RE2 object it wraps, which its types leave untyped. */
function programSize(re: RE2JS): number {
  const prog = (re.re2Input as { prog?: { numInst?: () => number } }).prog;
  const n = prog?.numInst?.();
  if (typeof n !== 'number') throw new Error('re2js no longer exposes its compiled program: check the size bound against the new version');
  return n;
}
