import { describe, expect, it } from 'vitest';
import { wwErrorOf } from './helpers.js';
import { compressHostlist, expandHostlist } from '../src/hostlist.js';

const hostlistError = wwErrorOf;

describe('expandHostlist', () => {
  it.each([
    ['n[1-3],n5,n[7-8,10]', ['n1', 'n2', 'n3', 'n5', 'n7', 'n8', 'n10']],
    ['r[1-2]-n[3-4]', ['r1-n3', 'r1-n4', 'r2-n3', 'r2-n4']],
    ['n[01-03]', ['n01', 'n02', 'n03']],
    ['n01,', ['n01']],
    ['n1,n2', ['n1', 'n2']],
    ['node[4,1]', ['node4', 'node1']],
    ['n[4-1]', []],
    ['n[4-1,7]', ['n7']],
    ['n[8-11]', ['n8', 'n9', 'n10', 'n11']],
    ['n[098-101]', ['n098', 'n099', 'n100', 'n101']],
    ['n[1-2].ib', ['n1.ib', 'n2.ib']],
    ['plain', ['plain']],
    ['', []],
    [',', []],
  ])('%s', (pattern, expected) => {
    expect(expandHostlist(pattern)).toEqual(expected);
  });

  it('accepts a list of arguments and keeps their order', () => {
    expect(expandHostlist(['n[2-3]', 'a,b', 'n1'])).toEqual(['n2', 'n3', 'a', 'b', 'n1']);
  });

  it('rejects non-numeric ranges naming the pattern', () => {
    expect(hostlistError(() => expandHostlist('n[a-3]'))).toEqual({
      code: 'WW_ERR_HOSTLIST',
      message: 'invalid node pattern "n[a-3]": range must be numbers',
    });
    expect(hostlistError(() => expandHostlist('n[]')).code).toBe('WW_ERR_HOSTLIST');
    expect(hostlistError(() => expandHostlist('n[1-]')).code).toBe('WW_ERR_HOSTLIST');
    expect(hostlistError(() => expandHostlist('n[ 1]')).code).toBe('WW_ERR_HOSTLIST');
  });

  it.each(['n[1-3', 'n1-3]', 'n[[1]]', 'a,n[1,2'])('rejects unbalanced brackets: %s', (p) => {
    expect(hostlistError(() => expandHostlist(p)).code).toBe('WW_ERR_HOSTLIST');
  });

  it('caps huge expansions with a clear error', () => {
    expect(hostlistError(() => expandHostlist('n[1-999999999]')).message).toMatch(/expands to more than 1000000 names/);
    expect(hostlistError(() => expandHostlist('r[1-2000]n[1-2000]')).message).toMatch(/more than 1000000/);
    expect(hostlistError(() => expandHostlist(['n[1-600000]', 'm[1-600000]'])).code).toBe('WW_ERR_HOSTLIST');
  });
});

describe('compressHostlist', () => {
  it.each([
    [['n01', 'n02', 'n03', 'n05'], 'n[01-03,05]'],
    [['n03'], 'n03'],
    [['n01', 'n02'], 'n[01-02]'],
    [['b2', 'a1', 'b1', 'a2', 'x'], 'b[1-2],a[1-2],x'],
    [['n1', 'n10', 'n2'], 'n[1-2],n10'],
    [['n05', 'n01', 'n01'], 'n[01,05]'],
    [['login', 'n1', 'login'], 'login,n1'],
    [['r1-n3', 'r1-n4', 'r2-n3'], 'r1-n[3-4],r2-n3'],
    [[], ''],
  ])('%j → %s', (names, expected) => {
    expect(compressHostlist(names)).toBe(expected);
  });

  it.each([['n[01-03,05]'], ['n[1-3],n5,n[7-8,10]'], ['r[1-2]-n[3-4]'], ['n[098-101]'], ['c[1-9],c[10-99],c100'], ['login,n[001-128]']])(
    'round trips %s',
    (pattern) => {
      const names = expandHostlist(pattern);
      expect([...expandHostlist(compressHostlist(names))].sort()).toEqual([...names].sort());
    },
  );

  // speed is measured in bench/nodes, never in a unit test
  it('round-trips n[00001-10000]', () => {
    const names = expandHostlist('n[00001-10000]');
    expect(names).toHaveLength(10000);
    expect(names[9999]).toBe('n10000');
    expect(compressHostlist(names)).toBe('n[00001-10000]');
  });
});
