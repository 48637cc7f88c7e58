// A page marked data-fresh-on-back whose figures change as its user works, restored whole from the browser's
// back-forward cache by the Back button, asks the server again: otherwise Back showed the page as it was left — the
// home's visits to review before the one just reviewed, Today's store just checked in still "to visit" and its Check
// in button still greyed out, My day's shift still not checked in. Without a network the copy stays (Today's outbox
// saying what waits).
window.addEventListener("pageshow", function (event) {
  if (event.persisted && navigator.onLine && document.querySelector("[data-fresh-on-back]")) window.location.reload();
});
