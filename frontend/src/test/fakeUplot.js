// uPlot draws on a canvas and asks matchMedia when it is imported, neither of which jsdom has:
// specs mock it with this, `vi.mock('uplot', () => import('../test/fakeUplot.js'))`, and look at
// the charts made (their options and data) in `charts`.
export const charts = [];

export default class FakeUplot {
  constructor(opts, data, target) {
    Object.assign(this, { opts, data, target, destroyed: false, size: null });
    charts.push(this);
  }

  setSize(size) {
    this.size = size;
  }

  destroy() {
    this.destroyed = true;
  }
}

FakeUplot.paths = { bars: (options) => ({ bars: options }) };
