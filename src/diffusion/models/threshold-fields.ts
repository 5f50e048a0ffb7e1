import { z } from 'zod';
import type { CompiledGraph } from '../../graph/compile.js';
import type { KernelParams } from '../kernel.js';
import { perCustomer, perCustomerField, rateField } from './kernel-model.js';

/**
 * Fields of the threshold family (Granovetter, Kertész, Profile, Profile-threshold): NDlib's parameter
 * meanings, camelCase names (`adopter_rate` → `adopterRate`, `percentage_blocked` → `blocked`).
 */
export const thresholdFields = {
  threshold: z
    .number()
    .gt(0)
    .max(1)
    .default(0.1)
    .describe('Share of adopting in-neighbours a customer needs to adopt (0 < θ <= 1; default 0.1, as NDlib). θ = 0 would adopt with no adopting neighbour: give such customers as seeds.'),
  thresholds: z
    .enum(['fixed', 'uniform'])
    .default('fixed')
    .describe('`fixed`: every customer has `threshold` (or its own from `customerThresholds`); `uniform`: each run draws θ_v ~ U(0,1] per customer (Granovetter’s distribution of thresholds). Default fixed.'),
  customerThresholds: perCustomerField('thresholds θ', 0, 1, true),
};

export const adopterRateField = rateField(0, 'Spontaneous adoption: probability per step that a susceptible customer adopts with no adopting neighbour (NDlib `adopter_rate`)');

export function thresholdParams(g: CompiledGraph, req: { threshold: number; thresholds: 'fixed' | 'uniform'; customerThresholds?: { id: string; value: number }[] }): Partial<KernelParams> {
  return {
    threshold: req.threshold,
    drawThreshold: req.thresholds === 'uniform',
    nodeThreshold: perCustomer(g, req.customerThresholds, 'customerThresholds'),
  };
}

export const profileFields = {
  profile: rateField(0.1, "A customer's chance to adopt at each step while exposed — its own taste, not peer pressure (Milli et al.; default 0.1)"),
  customerProfiles: perCustomerField('profiles', 0, 1),
  blocked: rateField(0, 'Probability that a customer who did not adopt when exposed becomes immune (blocked) for the rest of the run (NDlib `blocked`; default 0)'),
  adopterRate: adopterRateField,
};

export function profileParams(g: CompiledGraph, req: { profile: number; customerProfiles?: { id: string; value: number }[]; blocked: number; adopterRate: number }): Partial<KernelParams> {
  return {
    profile: req.profile,
    nodeProfile: perCustomer(g, req.customerProfiles, 'customerProfiles'),
    blocked: req.blocked,
    adopterRate: req.adopterRate,
  };
}

export const ADOPTION = ['susceptible', 'adopting', 'blocked'] as const;

/** Work: the adopters' arcs once, plus the spontaneous draws (adopterRate·n per step) and profile coins. */
export function thresholdWork(g: CompiledGraph, req: { maxSteps: number; adopterRate?: number }, coins = false): number {
  const steps = Math.min(req.maxSteps, 1000);
  return Math.max(1, g.m) + ((req.adopterRate ?? 0) * g.n + (coins ? g.n : 0)) * steps;
}
