import { RotationConfigSchema } from '@aisbf/contracts';
import type { RouteInventory } from '../inventory';
import { checkDelegation, findDelegationProblems, MAX_DELEGATION_DEPTH } from './delegation';

const meta = (...targets: string[]) => RotationConfigSchema.parse({ model_name: 'x', providers: [{ provider_id: 'rotation', models: targets.map((name) => ({ name })) }] });

describe('checkDelegation', () => {
  it('refuses a route already in the chain', () => {
    expect(checkDelegation(['rotation/a', 'rotation/b'], 'rotation/a')).toEqual({ ok: false, reason: 'delegation loop: rotation/a → rotation/b → rotation/a' });
  });

  it(`refuses chains deeper than ${MAX_DELEGATION_DEPTH}`, () => {
    const chain = Array.from({ length: 7 }, (_, i) => `rotation/r${i}`);
    expect(checkDelegation(chain, 'rotation/r7')).toEqual({ ok: true });
    expect(checkDelegation([...chain, 'rotation/r7'], 'rotation/r8')).toMatchObject({ ok: false, reason: expect.stringMatching(/deeper than 8/) });
  });
});

describe('findDelegationProblems', () => {
  it('names every loop and over-deep chain among the rotations', () => {
    const inv: RouteInventory = {
      providers: {},
      autoselects: {},
      rotations: { a: meta('b'), b: meta('a'), c: meta('c'), ok: meta('leaf'), leaf: RotationConfigSchema.parse({ model_name: 'l', providers: [{ provider_id: 'p', model: 'm' }] }) },
    };
    expect(findDelegationProblems(inv).sort()).toEqual([
      'rotation/a: delegation loop: rotation/a → rotation/b → rotation/a',
      'rotation/b: delegation loop: rotation/b → rotation/a → rotation/b',
      'rotation/c: delegation loop: rotation/c → rotation/c',
    ]);
  });

  it('finds chains deeper than the limit', () => {
    const rotations = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`r${i}`, i < 9 ? meta(`r${i + 1}`) : meta()]));
    const problems = findDelegationProblems({ providers: {}, autoselects: {}, rotations });
    expect(problems).toContain('rotation/r0: delegation deeper than 8 routes: rotation/r0 → rotation/r1 → rotation/r2 → rotation/r3 → rotation/r4 → rotation/r5 → rotation/r6 → rotation/r7 → rotation/r8');
  });
});
