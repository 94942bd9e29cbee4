// casegraph: each canvas reports where its nodes are drawn to a dcc.Store, after every layout,
// drag, addition and removal. dash-cytoscape sends positions back only after a drag or an
// addition, never after a layout has run, so the server could not know where fcose put the
// nodes; with this store it keeps them in place and lays out only what is new
// (app/placement.py). The clientside callback that calls this is app/canvas.py's.
(function () {
  function cyOf(graphId) {
    var root = document.getElementById(graphId);
    if (!root) { return null; }
    var all = [root].concat(Array.prototype.slice.call(root.querySelectorAll('*')));
    for (var i = 0; i < all.length; i++) {
      if (all[i]._cyreg && all[i]._cyreg.cy) { return all[i]._cyreg.cy; }
    }
    return null;
  }

  function positions(cy) {
    var out = {};
    cy.nodes().forEach(function (n) {
      var p = n.position();
      out[n.id()] = {x: Math.round(p.x * 100) / 100, y: Math.round(p.y * 100) / 100};
    });
    return out;
  }

  // cytoscape's textureOnViewport (an init option dash-cytoscape does not pass on): while the
  // viewport moves, a large canvas is moved as a picture instead of redrawn element by element;
  // without it a pan/zoom frame of 1,000 nodes took 170 ms in Chromium (bench/canvas_bench.py)
  var LARGE = 300;      // app/styles.py LARGE_GRAPH
  function smooth(cy) {
    var r = cy.renderer && cy.renderer();
    if (r) { r.textureOnViewport = cy.nodes().length > LARGE; }
  }

  // labels never overlap: after a layout, an addition, a removal or a drag, each node's caption
  // is drawn only when it overlaps no caption already kept and no other node (the most linked
  // nodes keep theirs first); the others get LABEL_HIDDEN (app/styles.py: drawn transparent, so
  // their size still counts) and show their id on hover, as Bloom and Linkurious do
  var LABEL_HIDDEN = 'label-hidden';
  function overlap(a, b) {
    return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
  }
  function declutter(cy) {
    var nodes = cy.nodes(':visible').filter(function (n) { return !n.isParent(); });
    if (nodes.length > LARGE) { return; }      // a large canvas relies on labels hiding when zoomed out
    var bodies = nodes.map(function (n) {
      return {id: n.id(), box: n.boundingBox({includeLabels: false, includeOverlays: false})};
    });
    var ordered = nodes.sort(function (a, b) {
      return (b.degree() - a.degree()) || (a.id() < b.id() ? -1 : (a.id() > b.id() ? 1 : 0));
    });
    var kept = [];
    cy.batch(function () {
      ordered.forEach(function (n) {
        var box = n.boundingBox({includeNodes: false, includeEdges: false, includeLabels: true,
                                 includeOverlays: false});
        if (!box || !(box.w > 0)) { return; }
        var clash = kept.some(function (k) { return overlap(k, box); }) ||
          bodies.some(function (b) { return b.id !== n.id() && overlap(b.box, box); });
        if (clash) { n.addClass(LABEL_HIDDEN); } else { n.removeClass(LABEL_HIDDEN); kept.push(box); }
      });
    });
  }
  function watchLabels(cy) {
    if (cy.scratch('_casegraph_labels')) { return; }
    cy.scratch('_casegraph_labels', true);
    var pending = false;
    cy.on('layoutstop add remove dragfree data', function () {
      if (pending) { return; }
      pending = true;
      setTimeout(function () { pending = false; if (!cy.destroyed()) { declutter(cy); } }, 30);
    });
    declutter(cy);
  }

  function watch(graphId, storeId) {
    var cy = cyOf(graphId);
    if (!cy) { return false; }
    watchLabels(cy);
    if (cy.scratch('_casegraph_store') === storeId) { return true; }
    cy.scratch('_casegraph_store', storeId);
    var pending = false;
    function report() {
      // many events come in one batch (an expand adds dozens of elements): report once
      if (pending) { return; }
      pending = true;
      setTimeout(function () {
        pending = false;
        if (!cy.destroyed()) {
          smooth(cy);
          window.dash_clientside.set_props(storeId, {data: positions(cy)});
        }
      }, 0);
    }
    cy.on('layoutstop dragfree add remove', report);
    report();      // the first layout ran before this was attached
    return true;
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside);
  window.dash_clientside.casegraph = Object.assign({}, window.dash_clientside.casegraph, {
    // the cytoscape instance of the canvas with this id (null while it is not drawn); export.js uses it
    cyOf: cyOf,
    // Inputs: the canvas's elements (so this runs when a canvas is drawn or redrawn) and the
    // store; attaches the watcher once per canvas and says how many positions the page holds
    // (browser tests wait on that line before acting on positions)
    watch_positions: function (_elements, data, graphId, storeId) {
      var tries = 0;
      (function attempt() {
        if (!watch(graphId, storeId) && tries++ < 600) { window.requestAnimationFrame(attempt); }
      })();
      var n = data ? Object.keys(data).length : 0;
      return n ? n + ' position(s) kept' : '';
    }
  });
})();
