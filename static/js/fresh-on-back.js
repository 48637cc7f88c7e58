// A page marked data-fresh-on-back whose figures change as its user works (the home's dashboard: a supervisor's
// visits to review go down as they review), restored whole from the browser's back-forward cache by the Back button,
// asks the server again: otherwise Back after reviewing a visit showed the home's list as it was before. Without a
// network the copy stays. (Today and My day do the same in visits/checkin.js.)
window.addEventListener("pageshow", function (event) {
  if (event.persisted && navigator.onLine && document.querySelector("[data-fresh-on-back]")) window.location.reload();
});
