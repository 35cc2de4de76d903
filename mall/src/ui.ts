import {
  errorText,
  formatAmount,
  priceLabel,
  VaultwireApiError,
  type Cart,
  type Order,
  type Product,
  type Store,
} from './api.js';
import { buttonById, byId, dialogById, h } from './dom.js';
import type { Shop } from './shop.js';

/** The mall's catalog as loaded: its stores and their products. */
export interface Catalog {
  stores: Store[];
  products: Map<string, Product[]>;
}

export function findProduct(catalog: Catalog, id: string): Product | undefined {
  for (const list of catalog.products.values()) {
    const p = list.find((x) => x.id === id);
    if (p) return p;
  }
  return undefined;
}

const storeName = (catalog: Catalog, id: string) =>
  catalog.stores.find((s) => s.id === id)?.name ?? 'Store';

/** The plain HTML mall: every store and its products, each product a button. */
export function renderDirectory(catalog: Catalog, open: (product: Product) => void): void {
  const list = byId('store-list');
  const state = byId('directory-state');
  list.replaceChildren();
  if (catalog.stores.length === 0) {
    state.textContent = 'No store has opened in the mall yet.';
    return;
  }
  state.textContent = `${catalog.stores.length} ${catalog.stores.length === 1 ? 'store' : 'stores'}`;
  for (const store of catalog.stores) {
    const products = catalog.products.get(store.id) ?? [];
    const headingId = `store-${store.id}`;
    const items = products.map((p) => {
      const button = h(
        'button',
        { type: 'button', class: 'product-button' },
        h('span', { class: 'product-name' }, p.name),
        h('span', { class: 'price' }, priceLabel(p)),
      );
      button.addEventListener('click', () => {
        open(p);
      });
      return h('li', {}, button);
    });
    list.append(
      h(
        'section',
        { class: 'store', 'aria-labelledby': headingId },
        h('h3', { id: headingId }, store.name),
        h(
          'p',
          { class: 'muted' },
          `Level ${store.position.level} · cell ${store.position.x}, ${store.position.y}`,
        ),
        products.length > 0
          ? h('ul', { class: 'products', 'aria-label': `Products of ${store.name}` }, ...items)
          : h('p', { class: 'muted' }, 'Nothing on the shelves yet.'),
      ),
    );
  }
}

function closeButton(dialog: HTMLDialogElement, label = 'Close'): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'secondary' }, label);
  b.addEventListener('click', () => {
    dialog.close();
  });
  return b;
}

function showModal(dialog: HTMLDialogElement): void {
  if (document.pointerLockElement) document.exitPointerLock();
  if (!dialog.open) dialog.showModal();
}

export interface Views {
  openProduct(product: Product): void;
  openCart(): void;
  openLogin(then?: () => void): void;
  openOrders(): void;
  renderAccount(): void;
}

export function createViews(catalog: Catalog, shop: Shop): Views {
  const productDialog = dialogById('product-dialog');
  const cartDialog = dialogById('cart-dialog');
  const loginDialog = dialogById('login-dialog');
  const ordersDialog = dialogById('orders-dialog');
  let lastOrder: Order | undefined;

  const views: Views = {
    openProduct(product) {
      const form = h('form', { class: 'stack' });
      const inStock = product.variants.filter((v) => v.available > 0);
      const fieldset = h('fieldset', {}, h('legend', {}, 'Choose'));
      product.variants.forEach((v, i) => {
        const currency = Object.keys(v.prices).includes('USD')
          ? 'USD'
          : (Object.keys(v.prices)[0] ?? '');
        const price = v.prices[currency];
        const id = `variant-${v.id}`;
        fieldset.append(
          h(
            'div',
            { class: 'choice' },
            h('input', {
              type: 'radio',
              name: 'variant',
              id,
              value: v.id,
              checked: v.id === (inStock[0] ?? product.variants[0])?.id || (i === 0 && !inStock[0]),
              disabled: v.available <= 0,
            }),
            h(
              'label',
              { for: id },
              `${v.name} — ${price ? formatAmount(price, currency) : 'no price'} `,
              h(
                'span',
                { class: 'muted' },
                v.available > 0 ? `(${v.available} left)` : '(sold out)',
              ),
            ),
          ),
        );
      });
      const quantity = h('input', {
        type: 'number',
        name: 'quantity',
        id: 'quantity',
        min: '1',
        max: '99',
        value: '1',
        inputmode: 'numeric',
      });
      const message = h('p', { class: 'form-message', role: 'status' });
      const submit = h('button', { type: 'submit', disabled: inStock.length === 0 }, 'Add to cart');
      form.append(
        fieldset,
        h('label', { for: 'quantity' }, 'Quantity'),
        quantity,
        message,
        h('div', { class: 'actions' }, submit, closeButton(productDialog)),
      );
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        const chosen = new FormData(form).get('variant');
        const variant = product.variants.find((v) => v.id === chosen);
        const n = Number(quantity.value);
        if (!variant) return;
        if (!Number.isInteger(n) || n < 1 || n > 99) {
          quantity.setAttribute('aria-invalid', 'true');
          message.textContent = 'Quantity: a whole number from 1 to 99.';
          return;
        }
        quantity.removeAttribute('aria-invalid');
        submit.disabled = true;
        message.textContent = 'Adding…';
        shop
          .add(product, variant, n)
          .then(() => {
            message.replaceChildren('Added to your cart. ');
            const see = h('button', { type: 'button', class: 'link' }, 'See your cart');
            see.addEventListener('click', () => {
              productDialog.close();
              views.openCart();
            });
            message.append(see);
          })
          .catch((err: unknown) => {
            message.textContent = errorText(err);
          })
          .finally(() => {
            submit.disabled = false;
          });
      });
      const image = product.image_urls[0];
      productDialog.replaceChildren(
        h('h2', { id: 'product-name' }, product.name),
        h('p', { class: 'muted' }, storeName(catalog, product.store_id)),
        ...(image ? [h('img', { src: image, alt: product.name, class: 'product-image' })] : []),
        ...(product.description ? [h('p', {}, product.description)] : []),
        form,
      );
      showModal(productDialog);
    },

    openCart() {
      const sections = [...shop.carts.values()]
        .filter((c) => c.items.length > 0)
        .map((c) => cartSection(c));
      cartDialog.replaceChildren(
        h('h2', { id: 'cart-heading' }, 'Your cart'),
        ...(lastOrder ? [orderSummary(lastOrder, 'Order paid')] : []),
        ...(sections.length > 0
          ? sections
          : lastOrder
            ? []
            : [
                h(
                  'p',
                  { class: 'muted' },
                  'Your cart is empty. Walk into a store and pick something.',
                ),
              ]),
        h('div', { class: 'actions' }, closeButton(cartDialog)),
      );
      showModal(cartDialog);
    },

    openLogin(then) {
      const form = h('form', { class: 'stack' });
      const email = h('input', {
        type: 'email',
        name: 'email',
        id: 'login-email',
        autocomplete: 'username',
        required: true,
      });
      const password = h('input', {
        type: 'password',
        name: 'password',
        id: 'login-password',
        autocomplete: 'current-password',
        required: true,
      });
      const codeLabel = h('label', { for: 'login-code', hidden: true }, '6-digit code');
      const code = h('input', {
        type: 'text',
        name: 'totp_code',
        id: 'login-code',
        inputmode: 'numeric',
        autocomplete: 'one-time-code',
        hidden: true,
      });
      const message = h('p', { class: 'form-message', role: 'alert' });
      const submit = h('button', { type: 'submit' }, 'Log in');
      form.append(
        h('label', { for: 'login-email' }, 'Email'),
        email,
        h('label', { for: 'login-password' }, 'Password'),
        password,
        codeLabel,
        code,
        message,
        h('div', { class: 'actions' }, submit, closeButton(loginDialog, 'Cancel')),
        h(
          'p',
          { class: 'muted' },
          'No account? ',
          h('a', { href: '/app/signup' }, 'Create one in the wallet app'),
          '.',
        ),
      );
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        submit.disabled = true;
        message.textContent = '';
        shop
          .logIn(email.value, password.value, code.value || undefined)
          .then(() => {
            loginDialog.close();
            views.renderAccount();
            then?.();
          })
          .catch((err: unknown) => {
            if (err instanceof VaultwireApiError && err.code === 'totp_required') {
              codeLabel.hidden = false;
              code.hidden = false;
              code.focus();
              message.textContent = 'Enter the code from your authenticator app.';
              return;
            }
            message.textContent = errorText(err);
          })
          .finally(() => {
            submit.disabled = false;
          });
      });
      loginDialog.replaceChildren(h('h2', { id: 'login-heading' }, 'Log in to pay'), form);
      showModal(loginDialog);
    },

    openOrders() {
      const list = h('div', { class: 'stack' }, h('p', { class: 'muted' }, 'Loading your orders…'));
      ordersDialog.replaceChildren(
        h('h2', { id: 'orders-heading' }, 'Your orders'),
        list,
        h('div', { class: 'actions' }, closeButton(ordersDialog)),
      );
      showModal(ordersDialog);
      shop
        .orders()
        .then((orders) => {
          list.replaceChildren(
            ...(orders.length > 0
              ? orders.map((o) =>
                  orderSummary(o, `${storeName(catalog, o.store_id)} · ${o.status}`),
                )
              : [h('p', { class: 'muted' }, 'No orders yet.')]),
          );
        })
        .catch((err: unknown) => {
          list.replaceChildren(h('p', { role: 'alert' }, errorText(err)));
        });
    },

    renderAccount() {
      const account = buttonById('account-button');
      const orders = buttonById('orders-button');
      account.textContent = shop.loggedIn() ? 'Log out' : 'Log in';
      orders.hidden = !shop.loggedIn();
    },
  };

  function cartSection(cart: Cart): HTMLElement {
    const name = storeName(catalog, cart.store_id);
    const headingId = `cart-${cart.id}`;
    const lines = cart.items.map((item) => {
      const remove = h(
        'button',
        { type: 'button', class: 'link', 'aria-label': `Remove ${item.name}` },
        'Remove',
      );
      remove.addEventListener('click', () => {
        void shop
          .setQuantity(cart.store_id, item.variant_id, 0)
          .then(() => {
            views.openCart();
          })
          .catch((err: unknown) => {
            status.textContent = errorText(err);
          });
      });
      return h(
        'li',
        { class: 'line' },
        h('span', {}, `${item.name} × ${item.quantity}`),
        h('span', {}, formatAmount(item.total, cart.currency)),
        remove,
      );
    });
    const couponInput = h('input', {
      type: 'text',
      name: 'coupon',
      id: `coupon-${cart.id}`,
      autocomplete: 'off',
      value: cart.coupon_code ?? '',
      'aria-describedby': `coupon-error-${cart.id}`,
    });
    const couponError = h('p', { class: 'field-error', id: `coupon-error-${cart.id}` });
    if (cart.coupon_problem) {
      couponError.textContent = `This coupon no longer applies (${cart.coupon_problem.code}).`;
    }
    const couponForm = h(
      'form',
      { class: 'coupon' },
      h('label', { for: `coupon-${cart.id}` }, 'Coupon code'),
      h(
        'div',
        { class: 'row' },
        couponInput,
        h('button', { type: 'submit', class: 'secondary' }, 'Apply'),
      ),
      couponError,
    );
    couponForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const code = couponInput.value.trim();
      shop
        .applyCoupon(cart.store_id, code === '' ? null : code)
        .then(() => {
          views.openCart();
          document
            .getElementById('cart-status')
            ?.append(code ? `Coupon ${code} applied.` : 'Coupon removed.');
        })
        .catch((err: unknown) => {
          couponInput.setAttribute('aria-invalid', 'true');
          couponError.textContent = errorText(err);
          couponInput.focus();
        });
    });
    const status = h('p', { class: 'form-message', role: 'status', id: 'cart-status' });
    const pay = h(
      'button',
      { type: 'button' },
      shop.loggedIn()
        ? `Pay ${formatAmount(cart.total, cart.currency)} with your wallet`
        : 'Log in to pay with your wallet',
    );
    const payNow = () => {
      pay.disabled = true;
      status.textContent = 'Paying…';
      shop
        .checkoutAndPay(cart.store_id)
        .then((order) => {
          lastOrder = order;
          views.openCart();
        })
        .catch((err: unknown) => {
          status.textContent = errorText(err);
          if (err instanceof VaultwireApiError && err.code === 'payment_refused') {
            status.append(
              ' ',
              h('a', { href: '/app/add-money' }, 'Add money to your wallet'),
              ' and pay it from Your orders.',
            );
          }
          pay.disabled = false;
        });
    };
    pay.addEventListener('click', () => {
      if (shop.loggedIn()) payNow();
      else {
        cartDialog.close();
        views.openLogin(() => {
          views.openCart();
        });
      }
    });
    // The other way to pay: the merchant's hosted checkout page for the order's invoice
    // (a Vaultwire wallet there, or crypto to the invoice's address with a QR code). A
    // guest gives an email for the receipt.
    const emailInput = h('input', {
      type: 'email',
      name: 'email',
      id: `email-${cart.id}`,
      autocomplete: 'email',
      'aria-describedby': `email-error-${cart.id}`,
    });
    const emailError = h('p', { class: 'field-error', id: `email-error-${cart.id}` });
    const hosted = h('button', { type: 'button', class: 'secondary' }, 'Pay on the checkout page');
    hosted.addEventListener('click', () => {
      const email = emailInput.value.trim();
      if (!shop.loggedIn() && email === '') {
        emailInput.setAttribute('aria-invalid', 'true');
        emailError.textContent = 'Give an email for your receipt.';
        emailInput.focus();
        return;
      }
      hosted.disabled = true;
      status.textContent = 'Opening the checkout page…';
      shop
        .checkout(cart.store_id, shop.loggedIn() ? undefined : email)
        .then((order) => {
          if (!order.checkout_url) throw new Error('The order has no checkout page');
          window.location.assign(order.checkout_url);
        })
        .catch((err: unknown) => {
          if (err instanceof VaultwireApiError && err.param === 'email') {
            emailInput.setAttribute('aria-invalid', 'true');
            emailError.textContent = err.message;
            emailInput.focus();
          } else status.textContent = errorText(err);
          hosted.disabled = false;
        });
    });
    const guestEmail = shop.loggedIn()
      ? null
      : h(
          'div',
          { class: 'field' },
          h('label', { for: `email-${cart.id}` }, 'Email for your receipt'),
          emailInput,
          emailError,
        );
    return h(
      'section',
      { class: 'cart', 'aria-labelledby': headingId },
      h('h3', { id: headingId }, name),
      h('ul', { class: 'lines', 'aria-label': `Items from ${name}` }, ...lines),
      couponForm,
      totals(cart),
      status,
      h('div', { class: 'actions' }, pay),
      guestEmail,
      h('div', { class: 'actions' }, hosted),
      h(
        'p',
        { class: 'muted' },
        'Pay from your Vaultwire wallet here, or on the checkout page: from a wallet, or in crypto to an address shown with a QR code.',
      ),
    );
  }

  return views;
}

function totals(t: {
  subtotal: string;
  discount: string;
  tax: string;
  total: string;
  currency: string;
}) {
  const row = (label: string, amount: string, cls = '') =>
    h(
      'div',
      { class: `total ${cls}` },
      h('dt', {}, label),
      h('dd', {}, formatAmount(amount, t.currency)),
    );
  return h(
    'dl',
    { class: 'totals' },
    row('Subtotal', t.subtotal),
    t.discount !== '0' && !/^0(\.0+)?$/.test(t.discount) ? row('Discount', `-${t.discount}`) : null,
    row('Tax', t.tax),
    row('Total', t.total, 'grand'),
  );
}

function orderSummary(order: Order, title: string): HTMLElement {
  return h(
    'article',
    { class: 'order', 'aria-label': `Order ${order.id}` },
    h('h3', {}, title),
    h('p', { class: 'muted mono' }, order.id),
    h(
      'ul',
      { class: 'lines' },
      ...order.lines.map((l) =>
        h(
          'li',
          { class: 'line' },
          h('span', {}, `${l.name} × ${l.quantity}`),
          h('span', {}, formatAmount(l.total, order.currency)),
        ),
      ),
    ),
    order.coupon_code ? h('p', {}, `Coupon ${order.coupon_code}`) : null,
    totals(order),
    h('p', { class: 'status-line' }, `Status: ${order.status}`),
  );
}
