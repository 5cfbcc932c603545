// Shop API: order creation. The model's shop-api component links this folder (code: services/shop-api/**).
export interface OrderRequest {
  readonly customerId: string;
  readonly cartId: string;
}

export interface Payments {
  charge(orderId: string, amountCents: number): Promise<'authorised' | 'declined'>;
}

export async function createOrder(request: OrderRequest, total: (cartId: string) => Promise<number>, payments: Payments) {
  const orderId = `ord_${Date.now().toString(36)}`;
  const status = await payments.charge(orderId, await total(request.cartId));
  return { orderId, status };
}
