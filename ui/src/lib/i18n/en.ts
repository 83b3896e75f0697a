// English strings; the keys are those of vi.ts, enforced by the `Messages` type.

import type { Messages } from "./vi";

export const en: Messages = {
  "app.title": "Paperless meeting room",
  "app.starting": "Starting…",

  "locale.switch": "Switch to Vietnamese",

  "login.heading": "Log in",
  "login.server": "Server address",
  "login.serverHint": "For example: http://192.168.1.10:8080",
  "login.username": "Username",
  "login.password": "Password",
  "login.showPassword": "Show password",
  "login.hidePassword": "Hide password",
  "login.submit": "Log in",
  "login.submitting": "Logging in…",
  "login.missingFields": "Please fill in the server address, username and password",

  "meetings.heading": "Choose a meeting",
  "meetings.greeting": "Hello {name}",
  "meetings.none": "You have no meetings yet. Please contact the meeting secretariat.",
  "meetings.opening": "Opening the meeting…",
  "meetings.where": "Place: {location}",
  "meetings.when": "Time: {startsAt}",
  "meetings.backToLogin": "Back to login",

  "role.chair": "Chair",
  "role.secretariat": "Secretariat",
  "role.delegate": "Delegate",

  "connection.online": "Connected",
  "connection.connecting": "Connecting",
  "connection.offline": "Offline — changes will be sent when the network is back",
  "connection.loggedOut": "Session ended",

  "relogin.explain": "Your session has ended. Please log in again — what you did is kept and will be sent.",
  "relogin.action": "Log in again",
  "relogin.back": "Back to the meeting",

  "meeting.loading": "Loading the meeting…",
  "meeting.logout": "Log out",
  "meeting.openPollBanner": "Vote in progress: {title}",
  "meeting.goToPoll": "Go to the vote",

  "agenda.heading": "Agenda",
  "agenda.empty": "The agenda has no items yet",
  "agenda.documentCount": "Documents: {count}",
  "agenda.voting": "Vote in progress",

  "item.number": "Item {number}",
  "item.choose": "Choose an item of the agenda on the left",
  "item.documents": "Documents",
  "item.noDocuments": "This item has no documents yet",
  "item.pageCount": "Pages: {count}",
  "item.polls": "Votes",

  "poll.openPoll": "Start the vote",
  "poll.closePoll": "End the vote",
  "poll.isOpen": "Voting in progress",
  "poll.isClosed": "Ended",
  "poll.askToVote": "Please cast your vote:",
  "poll.myVote": "You voted: {choice}",
  "poll.sending": "Sending…",
  "poll.secretariatDoesNotVote": "The secretariat follows the result and does not vote",
  "poll.liveCount": "Live count",
  "poll.finalCount": "Result of the vote",
  "poll.present": "Present: {present} / {members} members",

  "choice.yes": "Yes",
  "choice.no": "No",
  "choice.abstain": "Abstain",

  "outcome.passed": "Passed",
  "outcome.rejected": "Rejected",
  "outcome.no_quorum": "No quorum",

  "viewer.loading": "Loading the document…",
  "viewer.pageLoading": "Preparing the page…",
  "viewer.pageFailed": "This page could not be shown.",
  "viewer.retry": "Try again",
  "viewer.prev": "Previous page",
  "viewer.next": "Next page",
  "viewer.page": "Page {page} / {count}",
  "viewer.zoomIn": "Zoom in",
  "viewer.zoomOut": "Zoom out",
  "viewer.close": "Close document",
  "viewer.pageAlt": "Page {page} of the document {title}",

  "error.generic": "Something went wrong. Please try again.",
  "error.details": "Details for support staff",
};
