// casegraph: the explorer's SVG export (app/pages/_explorer_export.py). dash-cytoscape's
// generateImage with action "store" cannot store an SVG (cytoscape-svg returns a string and
// dash-cytoscape hands it to FileReader.readAsDataURL, which takes only a Blob), so this draws
// the SVG itself and hands it to the server the way a stored PNG comes: as the canvas's
// imageData, a data URI, with the kind of picture asked for.
(function () {
  function cyOf(graphId) {      // canvas.js's (assets load before any export is asked for)
    return window.dash_clientside.casegraph.cyOf(graphId);
  }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.casegraph_export = {
    svg: function (nClicks, graphId) {
      var noUpdate = window.dash_clientside.no_update;
      var cy = cyOf(graphId);
      if (!nClicks || !cy || typeof cy.svg !== 'function') { return [noUpdate, noUpdate]; }
      // the whole graph on white, as _explorer.image_options('svg') says
      var text = cy.svg({full: true, bg: 'white'});
      return ['data:image/svg+xml;charset=utf-8,' + encodeURIComponent(text), 'svg'];
    }
  };
})();
