/**
 * What every field normaliser returns: the value after, whether it was recognised, and a note when
 * the value was kept as given (unknown, invalid) or derived (an alias, an implied region). A
 * normaliser never throws on bad input: the case still gets stamped and a person sees the note.
 */
export interface FieldOutcome {
  /** The value after normalisation; the input (tidied) when it could not be recognised. */
  value: string | undefined;
  /** False when the value could not be recognised or validated and was kept as given. */
  recognised: boolean;
  note?: string;
}

export const recognised = (value: string, note?: string): FieldOutcome => (note ? { value, recognised: true, note } : { value, recognised: true });

export const keptAsGiven = (value: string | undefined, note: string): FieldOutcome => ({ value, recognised: false, note });
