import { errorText, loadMall } from './api.js';
import { buttonById, byId } from './dom.js';
import { Shop } from './shop.js';
import { createViews, findProduct, renderDirectory, type Catalog } from './ui.js';

/**
 * The light shell: the store directory, cart, login and checkout in plain HTML, working on
 * any browser. With WebGL, the 3D mall (three.js, a chunk of its own) loads after it.
 */
performance.mark('mall-shell');

function hasWebGl(): boolean {
  if (new URLSearchParams(location.search).get('view') === 'list') return false;
  try {
    const canvas = document.createElement('canvas');
    return !!(canvas.getContext('webgl2') ?? canvas.getContext('webgl'));
  } catch {
    return false;
  }
}

async function start(): Promise<void> {
  const shop = new Shop();
  const notice = byId('notice');
  const directory = byId('directory');
  const directoryButton = buttonById('directory-button');
  let catalog: Catalog;
  try {
    [catalog] = await Promise.all([loadMall(), shop.restore()]);
  } catch (err) {
    byId('directory-state').textContent = `The mall could not load: ${errorText(err)}`;
    return;
  }
  const views = createViews(catalog, shop);
  const count = byId('cart-count');
  const cartButton = buttonById('cart-button');
  const renderCount = () => {
    const n = shop.itemCount();
    count.textContent = `(${n})`;
    cartButton.setAttribute('aria-label', `Cart, ${n} ${n === 1 ? 'item' : 'items'}`);
  };
  shop.onChange(renderCount);
  renderCount();
  views.renderAccount();
  renderDirectory(catalog, (p) => {
    views.openProduct(p);
  });
  performance.mark('mall-stores');
  cartButton.addEventListener('click', () => {
    views.openCart();
  });
  byId('orders-button').addEventListener('click', () => {
    views.openOrders();
  });
  byId('account-button').addEventListener('click', () => {
    if (shop.loggedIn()) {
      shop.logOut();
      views.renderAccount();
    } else views.openLogin();
  });

  if (!hasWebGl()) {
    notice.textContent =
      'This browser cannot show the 3D mall (no WebGL), so here it is as a list of stores.';
    document.body.classList.add('list-view');
    return;
  }

  const view = byId('view3d');
  view.hidden = false;
  document.body.classList.add('walk-view');
  directory.classList.add('panel');
  directory.hidden = true;
  directoryButton.hidden = false;
  directoryButton.addEventListener('click', () => {
    directory.hidden = !directory.hidden;
    directoryButton.setAttribute('aria-expanded', String(!directory.hidden));
  });
  notice.textContent = 'Loading the 3D mall…';
  try {
    const { startScene } = await import('./scene.js');
    startScene(view, catalog, {
      openProduct: (id) => {
        const product = findProduct(catalog, id);
        if (product) views.openProduct(product);
      },
    });
    notice.textContent = '';
  } catch (err) {
    console.error(err);
    notice.textContent = 'The 3D mall could not start here, so here it is as a list of stores.';
    view.hidden = true;
    directory.hidden = false;
    directory.classList.remove('panel');
    directoryButton.hidden = true;
    document.body.classList.replace('walk-view', 'list-view');
  }
}

void start();
