// Vietnamese strings: the default language and the source of the message keys.
// `{name}` marks a value filled in by `translate`; en.ts must use the same placeholders.

export const vi = {
  "app.title": "Phòng họp không giấy",
  "app.starting": "Đang khởi động…",

  "locale.switch": "Chuyển sang tiếng Anh",

  "login.heading": "Đăng nhập",
  "login.server": "Địa chỉ máy chủ",
  "login.serverHint": "Ví dụ: http://192.168.1.10:8080",
  "login.username": "Tên đăng nhập",
  "login.password": "Mật khẩu",
  "login.showPassword": "Hiện mật khẩu",
  "login.hidePassword": "Ẩn mật khẩu",
  "login.submit": "Đăng nhập",
  "login.submitting": "Đang đăng nhập…",
  "login.missingFields": "Vui lòng nhập đủ địa chỉ máy chủ, tên đăng nhập và mật khẩu",

  "meetings.heading": "Chọn cuộc họp",
  "meetings.greeting": "Xin chào {name}",
  "meetings.none": "Bạn chưa có cuộc họp nào. Vui lòng liên hệ thư ký kỳ họp.",
  "meetings.opening": "Đang mở cuộc họp…",
  "meetings.where": "Địa điểm: {location}",
  "meetings.when": "Thời gian: {startsAt}",
  "meetings.backToLogin": "Quay lại đăng nhập",

  "role.chair": "Chủ tọa",
  "role.secretariat": "Thư ký",
  "role.delegate": "Đại biểu",

  "connection.online": "Đã kết nối",
  "connection.connecting": "Đang kết nối",
  "connection.offline": "Mất kết nối — thay đổi sẽ được gửi khi có mạng",
  "connection.loggedOut": "Phiên đăng nhập đã hết hạn",

  "relogin.explain":
    "Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại — những gì bạn đã làm vẫn được giữ và sẽ được gửi đi.",
  "relogin.action": "Đăng nhập lại",
  "relogin.back": "Quay lại cuộc họp",

  "meeting.loading": "Đang tải nội dung cuộc họp…",
  "meeting.logout": "Đăng xuất",
  "meeting.openPollBanner": "Đang biểu quyết: {title}",
  "meeting.goToPoll": "Đến biểu quyết",

  "agenda.heading": "Chương trình họp",
  "agenda.empty": "Chương trình họp chưa có nội dung nào",
  "agenda.documentCount": "{count} tài liệu",
  "agenda.voting": "Đang biểu quyết",
  "agenda.newRevision": "Có bản sửa mới",

  "item.number": "Nội dung {number}",
  "item.choose": "Hãy chọn một nội dung trong chương trình họp ở bên trái",
  "item.documents": "Tài liệu",
  "item.noDocuments": "Nội dung này chưa có tài liệu",
  "item.pageCount": "{count} trang",
  "document.revision": "Lần {number}",
  "receipts.show": "Ai đã nhận tài liệu",
  "receipts.hide": "Ẩn danh sách nhận tài liệu",
  "receipts.loading": "Đang tải…",
  "receipts.summary": "Đã tải về: {downloaded}/{members} · Đã mở: {opened}/{members}",
  "receipts.missing": "Chưa tải về: {names}",
  "receipts.everyone": "Mọi thành viên đã có tài liệu này",
  "document.receiptsNotice": "Văn phòng được biết bạn đã tải về và đã mở tài liệu nào, để bảo đảm mọi đại biểu có đủ tài liệu",
  "document.newRevision": "Bản sửa mới",
  "document.convertedFrom": "Chuyển từ {fileName}",
  "changes.show": "Xem thay đổi so với lần {number}",
  "changes.hide": "Ẩn thay đổi",
  "changes.heading": "Thay đổi so với lần {number}",
  "changes.pages": "Số trang: {before} → {after}",
  "changes.pagesAdded": "Trang mới: {pages}",
  "changes.pagesRemoved": "Trang bỏ đi: {pages}",
  "changes.none": "Nội dung chữ không thay đổi",
  "changes.added": "Thêm mới",
  "changes.removed": "Bỏ đi",
  "changes.changed": "Sửa đổi",
  "changes.before": "Trước:",
  "changes.after": "Sau:",
  "changes.noSection": "Phần đầu văn bản",
  "changes.page": "trang {page}",
  "changes.more": "Còn nhiều thay đổi khác; hãy đọc toàn văn bản mới",
  "item.polls": "Biểu quyết",

  "search.label": "Tìm trong tài liệu",
  "search.placeholder": "Gõ có dấu hoặc không dấu, ví dụ: phong hop khong giay",
  "search.action": "Tìm",
  "search.close": "Đóng kết quả tìm",
  "search.searching": "Đang tìm…",
  "search.results": "{count} kết quả cho “{query}”",
  "search.none": "Không tìm thấy “{query}” trong tài liệu của cuộc họp",
  "search.offline": "Mất kết nối máy chủ: tìm trong tài liệu đã tải về máy này",
  "search.page": "Trang {page}",

  "poll.openPoll": "Mở biểu quyết",
  "poll.closePoll": "Kết thúc biểu quyết",
  "poll.isOpen": "Đang biểu quyết",
  "poll.isClosed": "Đã kết thúc",
  "poll.askToVote": "Xin mời đại biểu biểu quyết:",
  "poll.myVote": "Bạn đã biểu quyết: {choice}",
  "poll.sending": "Đang gửi…",
  "poll.secretariatDoesNotVote": "Thư ký theo dõi kết quả, không biểu quyết",
  "poll.liveCount": "Kết quả đang cập nhật",
  "poll.finalCount": "Kết quả biểu quyết",
  "poll.present": "Có mặt: {present} / {members} đại biểu",

  "choice.yes": "Tán thành",
  "choice.no": "Không tán thành",
  "choice.abstain": "Không biểu quyết",

  "outcome.passed": "Thông qua",
  "outcome.rejected": "Không thông qua",
  "outcome.no_quorum": "Không đủ số đại biểu có mặt",

  "viewer.loading": "Đang tải tài liệu…",
  "viewer.pageLoading": "Đang hiển thị trang…",
  "viewer.pageFailed": "Không hiển thị được trang này.",
  "viewer.retry": "Thử lại",
  "viewer.prev": "Trang trước",
  "viewer.next": "Trang sau",
  "viewer.page": "Trang {page} / {count}",
  "viewer.zoomIn": "Phóng to",
  "viewer.zoomOut": "Thu nhỏ",
  "viewer.close": "Đóng tài liệu",
  "viewer.pageAlt": "Trang {page} của tài liệu {title}",

  "error.generic": "Đã có lỗi xảy ra. Vui lòng thử lại.",
  "error.details": "Thông tin cho kỹ thuật viên",
} satisfies Record<string, string>;

/** Every message key; a key missing from a locale file is a type error. */
export type MessageKey = keyof typeof vi;

/** The shape every locale file must have: exactly the keys of {@link vi}. */
export type Messages = { readonly [K in MessageKey]: string };
