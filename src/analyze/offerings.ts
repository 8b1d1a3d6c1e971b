import type { AnalysisConfig } from '../config/analysis-config.ts';
import type { Product } from '../model/snapshot.ts';
import { compareStrings } from './format.ts';

/** The offerings of the matrix, sorted by name, and the offering of each known product. */
export interface Offerings {
  names: string[];
  /** Product id -> offering index. */
  ofProduct: Map<string, number>;
}

export function offeringName(product: Product, level: AnalysisConfig['offeringLevel']): string {
  if (level === 'family' && product.family !== null && product.family.trim() !== '') return product.family.trim();
  return product.name.trim();
}

/**
 * The catalogue: offerings of active products, plus those of any product a line item uses
 * (`usedProductIds`; an inactive product that was sold still has cells).
 */
export function buildOfferings(
  products: readonly Product[],
  usedProductIds: readonly string[],
  level: AnalysisConfig['offeringLevel'],
): Offerings {
  const used = new Set(usedProductIds);
  const names = new Set<string>();
  for (const p of products) if (p.active || used.has(p.id)) names.add(offeringName(p, level));
  const sorted = [...names].sort(compareStrings);
  const indexOfName = new Map<string, number>();
  sorted.forEach((name, i) => indexOfName.set(name, i));
  const ofProduct = new Map<string, number>();
  for (const p of products) {
    const idx = indexOfName.get(offeringName(p, level));
    if (idx !== undefined) ofProduct.set(p.id, idx);
  }
  return { names: sorted, ofProduct };
}
