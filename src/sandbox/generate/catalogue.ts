import type { Product } from '../../model/snapshot.ts';
import type { Rng } from './random.ts';
import { OFFERING_NAMES, PRODUCT_TIERS } from './names.ts';

/** A product with the pricing the generator needs, and which offering (product family) it is in. */
export interface CatalogueProduct {
  product: Product;
  offering: number;
  listPrice: number;
  /** Typical cost as a fraction of the selling price. */
  costRatio: number;
}

export interface Catalogue {
  offerings: string[];
  products: CatalogueProduct[];
  /** Indices into `products`, per offering. */
  byOffering: number[][];
  /** The same, active products only (open deals quote only what is still sold). */
  activeByOffering: number[][];
}

function offeringName(i: number): string {
  const base = OFFERING_NAMES[i % OFFERING_NAMES.length] ?? 'Offering';
  const round = Math.floor(i / OFFERING_NAMES.length);
  return round === 0 ? base : `${base} ${round + 1}`;
}

/** Each offering holds one to three products (Standard, Professional, Enterprise). */
export function buildCatalogue(rng: Rng, offeringCount: number): Catalogue {
  const offerings: string[] = [];
  const products: CatalogueProduct[] = [];
  const byOffering: number[][] = [];
  for (let o = 0; o < offeringCount; o++) {
    const name = offeringName(o);
    offerings.push(name);
    const basePrice = Math.round(rng.logUniform(1_500, 20_000));
    const costRatio = rng.float(0.35, 0.7);
    const tiers = rng.int(1, PRODUCT_TIERS.length);
    const indices: number[] = [];
    for (let t = 0; t < tiers; t++) {
      const id = `PRD-${String(products.length + 1).padStart(4, '0')}`;
      // A retired tier now and then: still on old deals, no longer in the active catalogue.
      const active = t === 0 || !rng.chance(0.15);
      indices.push(products.length);
      products.push({
        product: { id, name: `${name} ${PRODUCT_TIERS[t] ?? ''}`.trim(), family: name, active },
        offering: o,
        listPrice: basePrice * (1 + t * 0.8),
        costRatio,
      });
    }
    byOffering.push(indices);
  }
  const activeByOffering = byOffering.map((list) => list.filter((i) => products[i]?.product.active));
  return { offerings, products, byOffering, activeByOffering };
}
