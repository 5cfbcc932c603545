// Storefront checkout page: the browser side of the "browser → shop-api" flow in webshop.tm.yaml.
export async function placeOrder(cartId: string, csrfToken: string): Promise<{ orderId: string }> {
  const response = await fetch('/api/orders', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
    body: JSON.stringify({ cartId }),
  });
  if (!response.ok) throw new Error(`Order failed: ${response.status}`);
  return (await response.json()) as { orderId: string };
}
