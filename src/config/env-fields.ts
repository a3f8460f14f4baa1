import { z } from 'zod'

// Field types shared by the sections' env schemas. Units are in the variable names (`_MS`, `_BYTES`, `_S`).
export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max)
export const optionalInt = (min: number, max: number) => int(min, max).optional()
export const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')
export const ratio = z.coerce.number().min(0).max(1)
