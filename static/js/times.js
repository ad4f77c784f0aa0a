// Times as the app shows them everywhere: in Beijing time (Asia/Shanghai), in the page's language,
// whatever time zone the phone is set to — a relative abroad sees the same "14:05" as the building head.
const ZONE = "Asia/Shanghai";

function language() {
  return document.documentElement.lang || "zh-CN";
}

// "14:05": the hour and minute of `ms` (milliseconds since 1970).
export function clockTime(ms) {
  return new Date(ms).toLocaleTimeString(language(), { timeZone: ZONE, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

// "2026/12/2 14:05": the date and time of `ms`, or of an ISO 8601 string.
export function dateTime(when) {
  return new Date(when).toLocaleString(language(), {
    timeZone: ZONE, year: "numeric", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
}
