// Partial sorting as Redis does it for SORT ... BY ... LIMIT and for GEO
// searches with COUNT: the order of ties must match, so the algorithm is
// Redis's own (src/pqsort.c), not any partial sort.

/**
 * Redis's pqsort (its NetBSD quicksort that stops sorting parts holding no
 * position of lo..hi): afterwards a[lo..hi] hold what a full sort would put
 * there. Not stable: equal elements end up where this exact algorithm leaves
 * them, which is why it is reproduced step for step.
 */
export function partialSort<T>(a: T[], cmp: (x: T, y: T) => number, lo: number, hi: number): void {
  const swap = (i: number, j: number): void => {
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  };
  const vecswap = (i: number, j: number, n: number): void => {
    for (let k = 0; k < n; k++) swap(i + k, j + k);
  };
  const med3 = (i: number, j: number, k: number): number =>
    cmp(a[i], a[j]) < 0
      ? cmp(a[j], a[k]) < 0 ? j : cmp(a[i], a[k]) < 0 ? k : i
      : cmp(a[j], a[k]) > 0 ? j : cmp(a[i], a[k]) < 0 ? i : k;
  const insertionSort = (base: number, n: number): void => {
    for (let m = base + 1; m < base + n; m++) for (let l = m; l > base && cmp(a[l - 1], a[l]) > 0; l--) swap(l, l - 1);
  };
  // Whether base..base+n-1 holds part of lo..hi (pqsort skips it only when both ends lie on one side).
  const wanted = (base: number, n: number): boolean => !((lo < base && hi < base) || (lo >= base + n && hi >= base + n));
  const sort = (base: number, n: number): void => {
    for (;;) {
      if (n < 7) return insertionSort(base, n);
      let pm = base + (n >> 1);
      if (n > 7) {
        let pl = base;
        let pn = base + n - 1;
        if (n > 40) {
          const d = n >> 3;
          pl = med3(pl, pl + d, pl + 2 * d);
          pm = med3(pm - d, pm, pm + d);
          pn = med3(pn - 2 * d, pn - d, pn);
        }
        pm = med3(pl, pm, pn);
      }
      swap(base, pm);
      let pa = base + 1;
      let pb = pa;
      let pc = base + n - 1;
      let pd = pc;
      let swapped = false;
      for (;;) {
        let r: number;
        while (pb <= pc && (r = cmp(a[pb], a[base])) <= 0) {
          if (r === 0) {
            swapped = true;
            swap(pa++, pb);
          }
          pb++;
        }
        while (pb <= pc && (r = cmp(a[pc], a[base])) >= 0) {
          if (r === 0) {
            swapped = true;
            swap(pc, pd--);
          }
          pc--;
        }
        if (pb > pc) break;
        swap(pb++, pc--);
        swapped = true;
      }
      if (!swapped) return insertionSort(base, n);
      const pn = base + n;
      let r = Math.min(pa - base, pb - pa);
      vecswap(base, pb - r, r);
      r = Math.min(pd - pc, pn - pd - 1);
      vecswap(pb, pn - r, r);
      if ((r = pb - pa) > 1 && wanted(base, r)) sort(base, r);
      if ((r = pd - pc) <= 1) return;
      base = pn - r;
      n = r;
      if (!wanted(base, n)) return;
    }
  };
  sort(0, a.length);
}
