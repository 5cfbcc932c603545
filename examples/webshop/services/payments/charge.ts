// Payment service: charges through the payment provider; card data never reaches the shop.
export interface ProviderClient {
  createCharge(input: { reference: string; amountCents: number; idempotencyKey: string }): Promise<{ status: string }>;
}

export async function charge(provider: ProviderClient, orderId: string, amountCents: number) {
  // The order id doubles as the idempotency key: a retried request cannot charge twice.
  const result = await provider.createCharge({ reference: orderId, amountCents, idempotencyKey: orderId });
  return result.status === 'succeeded' ? 'authorised' : 'declined';
}
