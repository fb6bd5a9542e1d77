import { describe, expect, it } from 'vitest';
import { API_ERROR_STATUS, ApiError, AppError } from './errors.ts';

describe('the package error class', () => {
  it('an API failure is an AppError with the public API code, its status and cause', () => {
    const cause = new Error('underlying');
    const error = new ApiError('not-found', 'No customer 42 in this shop.', { cause });
    expect(error).toBeInstanceOf(AppError);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.name).toBe('ApiError');
    expect(error.code).toBe('not-found');
    expect(API_ERROR_STATUS[error.code]).toBe(404);
    expect(error.cause).toBe(cause);
  });

  it("the package's own failures are AppErrors, not ApiErrors", () => {
    const error = new AppError('config', 'Set APP_API_KEY.');
    expect(error.name).toBe('AppError');
    expect(error).not.toBeInstanceOf(ApiError);
  });
});
