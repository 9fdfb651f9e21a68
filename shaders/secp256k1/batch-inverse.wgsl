// Montgomery's trick across a workgroup: one inversion for all of its lanes. The lanes' values are
// the leaves of a binary tree of products in workgroup memory; its root is inverted by one lane,
// and the inverses come back down (inverse of a child = inverse of the parent times its sibling's
// product): per lane about three multiplications and 1/BATCH_SIZE of an inversion.
//
// Every lane of the workgroup must call batch_invert, from uniform control flow, with a nonzero
// value: a lane with nothing to invert (an invalid signature, a result at infinity, a lane past the
// batch) brings 1, so that it cannot zero its neighbours' product.
//
// Field elements (mod p) and scalars (mod n, in the Montgomery domain, in the slot's first 16
// words) share the tree.

// Lanes per workgroup of the passes that invert (a power of two, at least 4; the host sets it).
override BATCH_SIZE: u32 = 128u;

var<workgroup> batch_slots: array<Fe, BATCH_SIZE>;

const BATCH_FIELD: u32 = 0u;
const BATCH_SCALAR: u32 = 1u;

fn sc_to_slot(a: Sc) -> Fe {
  var r: Fe;
  for (var k = 0u; k < 16u; k++) {
    r[k] = a[k];
  }
  return r;
}

fn slot_to_sc(a: Fe) -> Sc {
  var r: Sc;
  for (var k = 0u; k < 16u; k++) {
    r[k] = a[k];
  }
  return r;
}

fn batch_mul(kind: u32, a: Fe, b: Fe) -> Fe {
  if (kind == BATCH_FIELD) { return fe_mul(a, b); }
  return sc_to_slot(sc_mont_mul(slot_to_sc(a), slot_to_sc(b)));
}

fn batch_invert(kind: u32, lane: u32, leaf: Fe) -> Fe {
  batch_slots[lane] = leaf;
  workgroupBarrier();
  let sibling = batch_slots[lane ^ 1u];
  workgroupBarrier();
  // Node k (1 <= k < BATCH_SIZE) has children 2k and 2k + 1; nodes BATCH_SIZE/2.. are the leaf
  // pairs, written over the leaves once every lane has read its sibling.
  if ((lane & 1u) == 0u) {
    batch_slots[BATCH_SIZE / 2u + (lane >> 1u)] = batch_mul(kind, leaf, sibling);
  }
  workgroupBarrier();
  for (var half = BATCH_SIZE / 4u; half > 0u; half >>= 1u) {
    if (lane < half) {
      let k = half + lane;
      batch_slots[k] = batch_mul(kind, batch_slots[2u * k], batch_slots[2u * k + 1u]);
    }
    workgroupBarrier();
  }
  if (lane == 0u) {
    if (kind == BATCH_FIELD) {
      batch_slots[1] = fe_inv(batch_slots[1]);
    } else {
      batch_slots[1] = sc_to_slot(sc_mont_inv(slot_to_sc(batch_slots[1])));
    }
  }
  workgroupBarrier();
  for (var half = 1u; half < BATCH_SIZE / 2u; half <<= 1u) {
    if (lane < half) {
      let k = half + lane;
      let inv = batch_slots[k];
      let other = array<Fe, 2>(batch_slots[2u * k + 1u], batch_slots[2u * k]);
      for (var c = 0u; c < 2u; c++) {
        batch_slots[2u * k + c] = batch_mul(kind, inv, other[c]);
      }
    }
    workgroupBarrier();
  }
  return batch_mul(kind, batch_slots[BATCH_SIZE / 2u + (lane >> 1u)], sibling);
}
