// printpost serve: a page of the subscriber site reloads itself when the site is built again.
"use strict";
(() => {
  let seen = null;
  const events = new EventSource("/events");
  events.onmessage = (event) => {
    const site = JSON.parse(event.data).site;
    if (seen !== null && site.generation !== seen) location.reload();
    seen = site.generation;
  };
})();
