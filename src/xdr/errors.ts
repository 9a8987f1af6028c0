/** Raised by decoders when input does not follow the XDR definition; dispatch turns it into GARBAGE_ARGS. */
export class XdrError extends Error {
  override readonly name = 'XdrError';
}
