export {
  createOfflineModel,
  wordDeltas,
  OFFLINE_PROVIDER,
  OFFLINE_MODEL_ID,
  type OfflineAnswerer,
  type OfflineModelOptions,
} from './offline-model.js';
export { OFFLINE_MESSAGE, NO_MODEL_CONFIGURED } from './offline-message.js';
