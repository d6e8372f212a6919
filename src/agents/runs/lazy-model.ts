/**
 * A model resolved by name on first use. Agent definitions are built when `conduit serve` starts,
 * but a missing provider key must not stop the gateway from starting: the error belongs to the
 * first run of that agent (a clear 404/400 from the resolver), not to the process.
 */
import type { CallOptions, GenerateResult, LanguageModel, ModelCapabilities, ModelRequest, ModelResolver, StreamPart } from '../../models/language-model.js';

export class LazyModel implements LanguageModel {
  private resolved: LanguageModel | undefined;

  constructor(
    private readonly resolver: ModelResolver,
    readonly name: string,
  ) {}

  private get model(): LanguageModel {
    this.resolved ??= this.resolver.resolve(this.name);
    return this.resolved;
  }

  get provider(): string {
    return this.model.provider;
  }

  get modelId(): string {
    return this.model.modelId;
  }

  get capabilities(): ModelCapabilities {
    return this.model.capabilities;
  }

  generate(request: ModelRequest, options?: CallOptions): Promise<GenerateResult> {
    return this.model.generate(request, options);
  }

  stream(request: ModelRequest, options?: CallOptions): AsyncIterable<StreamPart> {
    return this.model.stream(request, options);
  }
}
