export { tokenizerFor, CLAUDE_TOKEN_FACTOR, type Tokenizer } from './tokenizer.js';
export {
  countMessageTokens,
  TOKENS_PER_MESSAGE,
  TOKENS_PER_NAME,
  REPLY_PRIMING_TOKENS,
  IMAGE_TOKENS_LOW_DETAIL,
  IMAGE_TOKENS_ESTIMATE,
} from './message-tokens.js';
export { bpeEncoding, isBpeEncodingLoaded, type BpeEncoding, type BpeEncodingName } from './bpe-encodings.js';
