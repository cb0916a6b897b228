/** The DocumentError a promise rejects with; fails the test when it resolves or rejects with anything else. */
import { DocumentError } from '../../src/knowledge/extract/errors';

export async function refusal(promise: Promise<unknown>): Promise<DocumentError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof DocumentError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}
