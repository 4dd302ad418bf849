/** A bad entry in one of the facility's files, named with the file, the path and what was expected. */
export class FacilityFileError extends Error {
  constructor(readonly file: string, readonly where: string, expected: string) {
    super(`${file}: ${where}: ${expected}`);
    this.name = 'FacilityFileError';
  }
}
