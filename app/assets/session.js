// casegraph: when the session has ended (idle, too old, user disabled), the server answers a
// callback with 401; go to the login page, which says why and comes back here afterwards.
// The refused answer is never handed to dash-renderer (the page is leaving anyway).
(function () {
  var fetch0 = window.fetch;
  window.fetch = function () {
    return fetch0.apply(this, arguments).then(function (response) {
      if (response.status === 401 && String(response.url).indexOf('/_dash-') !== -1) {
        window.location.assign('/login?why=ended&next=' +
                               encodeURIComponent(window.location.pathname + window.location.search));
        return new Promise(function () {});
      }
      return response;
    });
  };
})();
