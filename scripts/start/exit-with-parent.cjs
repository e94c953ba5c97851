// Preloaded (node --require) into each process `npm start` supervises. They run in their own
// process groups so that Ctrl-C reaches only the supervisor, which then stops them in order; but
// that also means nothing stops them if the supervisor itself dies (kill -9, a crash, a test
// runner tearing it down), leaving a web app or worker running headless. A child whose parent is
// gone (it was re-parented) stops itself as if the supervisor had told it to.
const parent = process.ppid
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM')
}, 1000).unref()
