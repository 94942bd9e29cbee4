// casegraph: cell renderers the results grids (app/pages/_grid.py) name in their column
// definitions. dash-ag-grid looks a renderer's name up here: no code travels as text, and the
// Content-Security-Policy allows no eval.
(function () {
  var renderers = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});

  // a link to a page of the app (the row's `hrefField`), as dcc.Link: no reload of the app
  renderers.GridLink = function (props) {
    var href = props.data && props.data[props.hrefField];
    if (!href) {
      return props.value;
    }
    return React.createElement(window.dash_core_components.Link,
                               {href: href, className: props.className || ''}, props.value);
  };

  // a node kind as the coloured tag the rest of the app shows
  renderers.GridTag = function (props) {
    return React.createElement('span', {className: 'tag ' + (props.value || '')}, props.value);
  };
})();
