import { describe, expect, it } from 'vitest';
import { availableAt, backgroundReserve, callsInFlightFor, modeledSyncSeconds, waitMsFor } from './throttle.ts';

const bucket = { maximumAvailable: 2000, currentlyAvailable: 100, restoreRate: 100, atMs: 10_000 };

describe('availableAt', () => {
  it('refills at the restore rate up to the bucket size', () => {
    expect(availableAt(bucket, 10_000)).toBe(100);
    expect(availableAt(bucket, 11_500)).toBe(250);
    expect(availableAt(bucket, 100_000)).toBe(2000);
  });
});

describe('backgroundReserve', () => {
  it("is half the bucket, at most Shopify's largest single query (1,000 points)", () => {
    expect(backgroundReserve({ ...bucket, maximumAvailable: 2000 })).toBe(1000);
    expect(backgroundReserve({ ...bucket, maximumAvailable: 20_000 })).toBe(1000);
    expect(backgroundReserve({ ...bucket, maximumAvailable: 300 })).toBe(150);
  });
});

describe('waitMsFor', () => {
  it('is 0 without a reported bucket or with enough points above the reserve', () => {
    expect(waitMsFor(null, 0, 11, 0)).toBe(0);
    expect(waitMsFor({ ...bucket, currentlyAvailable: 1011 }, 10_000, 11, 0)).toBe(0);
  });

  it('counts the points of calls still in flight', () => {
    // 1,100 available, 1,000 kept back, 95 in flight: 5 free, 6 missing at 100 points/s.
    expect(waitMsFor({ ...bucket, currentlyAvailable: 1100 }, 10_000, 11, 95)).toBe(60);
  });

  it('leaves the reserve for the other calls, and waits for the restore to send more', () => {
    // 100 available: the bucket is below the reserve of 1,000 already; 911 more are needed before an 11-point call.
    expect(waitMsFor(bucket, 10_000, 11, 0)).toBe(9110);
    expect(waitMsFor({ ...bucket, currentlyAvailable: 1000 }, 10_000, 11, 0)).toBe(110);
    expect(waitMsFor({ ...bucket, currentlyAvailable: 0 }, 10_000, 11, 0)).toBe(10_110);
  });
});

describe('callsInFlightFor', () => {
  it('keeps enough calls in flight for the plan', () => {
    expect(callsInFlightFor(100)).toBe(3);
    expect(callsInFlightFor(1000)).toBe(30);
    expect(callsInFlightFor(2000)).toBe(32);
    expect(callsInFlightFor(1)).toBe(1);
  });
});

describe('modeledSyncSeconds', () => {
  it('gives the first sync of 200,000 customers at the standard and Plus limits', () => {
    // 5 metafields a customer, 25 a call: 40,000 calls of 10 points; the bucket above its reserve of 1,000 pays first.
    expect(modeledSyncSeconds({ calls: 40_000, costPerCall: 10, bucketSize: 2_000, restoreRate: 100 })).toBe(3_990);
    expect(modeledSyncSeconds({ calls: 40_000, costPerCall: 10, bucketSize: 20_000, restoreRate: 1_000 })).toBe(381);
  });

  it('is 0 when the bucket pays for everything', () => {
    expect(modeledSyncSeconds({ calls: 100, costPerCall: 10, bucketSize: 2_000, restoreRate: 100 })).toBe(0);
  });
});
