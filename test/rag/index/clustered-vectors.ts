/**
 * Synthetic embeddings shaped like real ones: unit vectors drawn around cluster centres (topics
 * and sub-topics), so near neighbours are much closer than random pairs — uniform random vectors
 * would make every point roughly equidistant and misrepresent ANN recall. Deterministic (seeded).
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 4_294_967_296;
  };
}

export interface ClusteredVectors {
  /** A new vector from the distribution (a document or a query). */
  sample(): Float32Array;
}

/**
 * `topics × clustersPerTopic` cluster centres (each a topic direction plus its own offset), and
 * samples = centre + Gaussian noise of norm ≈ `spread`. `common` adds one direction shared by all
 * vectors, as real sentence embeddings have (their random pairs are positively correlated).
 */
export function clusteredVectors(dims: number, seed = 42, topics = 50, clustersPerTopic = 20, spread = 0.9, common = 0): ClusteredVectors {
  const rnd = seededRandom(seed);
  const gauss = (): number => {
    const u = rnd() || 1e-12;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  };
  const unit = (v: Float32Array): Float32Array => {
    let n = 0;
    for (const x of v) n += x * x;
    const inv = 1 / Math.sqrt(n);
    return v.map((x) => x * inv);
  };
  const randomUnit = (): Float32Array => unit(Float32Array.from({ length: dims }, gauss));
  const shared = randomUnit();
  const topicCentres = Array.from({ length: topics }, () => unit(randomUnit().map((x, j) => x + common * shared[j]!)));
  const centres: Float32Array[] = [];
  for (let t = 0; t < topics; t++) {
    for (let c = 0; c < clustersPerTopic; c++) {
      const offset = randomUnit();
      const topic = topicCentres[t]!;
      centres.push(unit(topic.map((x, j) => x + 0.8 * offset[j]!)));
    }
  }
  const noise = spread / Math.sqrt(dims);
  return {
    sample() {
      const centre = centres[Math.floor(rnd() * centres.length)]!;
      return unit(centre.map((x) => x + noise * gauss()));
    },
  };
}
