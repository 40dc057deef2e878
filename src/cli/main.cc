// exportctl: the command line. See README.md, "The CLI".
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "absl/strings/cord.h"
#include "exportctl/audit.h"
#include "exportctl/exportctl.h"

namespace {

namespace fs = std::filesystem;
using exportctl::Decision;
using exportctl::Outcome;
using exportctl::Policy;

constexpr char kUsage[] =
    "usage:\n"
    "  exportctl eval [--rules PATH]... [--lists PATH... | --no-screening] [--as-of DATE]\n"
    "                 [--licenses FILE [--ledger FILE]] [--audit-log FILE]\n"
    "                 [--format json|text] [--batch] [--threads N] [--fail-on OUTCOME]\n"
    "                 [--explain | --coverage] REQUEST.json... | -\n"
    "  exportctl screen [--lists PATH...] [--country CC] [--threshold N] [--format json|text]\n"
    "                 NAME... | -\n"
    "  exportctl lists [--lists PATH...] [--format json|text]\n"
    "  exportctl licenses --licenses FILE [--ledger FILE] [--as-of DATE] [--expiring 60d]\n"
    "                 [--book PLANNED.jsonl] [--format json|text] [--fail-on-alert]\n"
    "  exportctl audit verify FILE [--expect-head sha256:...]\n"
    "  exportctl audit show FILE --request ID\n"
    "  exportctl check [--rules PATH]...\n"
    "  exportctl test [--rules PATH]... [--lists PATH... | --no-screening]\n"
    "  exportctl graph [--rules PATH]...\n"
    "Without --rules the bundled standard rules are used (every pack under rules/ but\n"
    "rules/examples); without --lists the bundled restricted-party lists (lists/, or\n"
    "$EXPORTCTL_LISTS). A list path is a file (PATH or PATH@YYYY-MM-DD, the date the list is as\n"
    "of) or a directory. Exit codes, the same for every command: 0 done (whatever the outcome),\n"
    "1 the rules have errors (diagnostics on stderr) or `test` found a failing test, 2 bad\n"
    "usage or input (including a rules path that cannot be read), 3 an outcome at least as\n"
    "restrictive as --fail-on.\n";

// Exit codes, the same whichever command loads the rules.
constexpr int kExitRuleErrors = 1;  // the rules do not compile: diagnostics printed
constexpr int kExitBadInput = 2;    // bad usage, unreadable paths, invalid requests

// Whether `arg` names a list file (*.csv, *.json or *.xml that exists, possibly with @DATE after
// it): what `screen` and `lists` take as further --lists paths. Names are never taken for one,
// and directories need a --lists of their own.
bool IsListFile(const std::string& arg) {
  std::error_code ec;
  const size_t at = arg.rfind('@');
  const fs::path path = at == std::string::npos ? fs::path(arg) : fs::path(arg.substr(0, at));
  const std::string ext = path.extension().string();
  return (ext == ".csv" || ext == ".json" || ext == ".xml") && fs::is_regular_file(path, ec);
}

int Usage(const std::string& message) {
  std::cerr << "exportctl: " << message << "\n" << kUsage;
  return kExitBadInput;
}

std::string CodeOf(const absl::Status& st) {
  std::optional<exportctl::RequestError> error = exportctl::RequestError::FromStatus(st);
  return error ? error->code : "invalid_request";
}

// The bundled standard rules: $EXPORTCTL_RULES, else the source tree's rules/, else the
// installed copy; every pack in it except the examples.
std::vector<std::string> DefaultRules() {
  std::vector<fs::path> roots;
  if (const char* env = std::getenv("EXPORTCTL_RULES")) roots.emplace_back(env);
  roots.emplace_back(EXPORTCTL_SOURCE_RULES);
  roots.emplace_back(EXPORTCTL_INSTALLED_RULES);
  for (const fs::path& root : roots) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) continue;
    std::vector<std::string> packs;
    for (const auto& entry : fs::directory_iterator(root, ec)) {
      if (entry.path().filename() == "examples") continue;
      if (entry.is_directory() || entry.path().extension() == ".ecr") {
        packs.push_back(entry.path().string());
      }
    }
    // Relative to the working directory when under it, so reasons read "rules/ear/ccl.ecr:9:1".
    const fs::path rel = fs::relative(root, fs::current_path(ec), ec);
    const bool under_cwd = !ec && !rel.empty() && *rel.begin() != "..";
    if (under_cwd) {
      for (std::string& p : packs) p = (rel / fs::path(p).filename()).lexically_normal().string();
    }
    std::sort(packs.begin(), packs.end());
    return packs;
  }
  return {};
}

// The bundled restricted-party lists: $EXPORTCTL_LISTS, else the source tree's lists/, else the
// installed copy.
std::vector<std::string> DefaultLists() {
  std::vector<fs::path> roots;
  if (const char* env = std::getenv("EXPORTCTL_LISTS")) return {env};
  roots.emplace_back(EXPORTCTL_SOURCE_LISTS);
  roots.emplace_back(EXPORTCTL_INSTALLED_LISTS);
  for (const fs::path& root : roots) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) continue;
    const fs::path rel = fs::relative(root, fs::current_path(ec), ec);
    const bool under_cwd = !ec && !rel.empty() && *rel.begin() != "..";
    return {under_cwd ? rel.lexically_normal().string() : root.string()};
  }
  return {};
}

class TextTrace : public exportctl::TraceListener {
 public:
  void OnRule(const exportctl::RuleTrace& t) override {
    out << (t.fired ? "FIRED   " : "skipped ") << t.rule;
    if (!t.material.empty()) out << " [material " << t.material << "]";
    if (!t.in_effect) out << " (not in effect at the as-of date)";
    if (!t.error.empty()) out << " (error: " << t.error << ")";
    out << "\n";
    for (const auto& c : t.conjuncts) {
      out << "    " << c.value << "\t" << c.text << "  (" << c.source << ")\n";
    }
  }
  std::ostringstream out;
};

struct Options {
  std::vector<std::string> rules;
  std::vector<std::string> lists;
  bool no_screening = false;
  std::optional<std::string> country;
  int threshold = exportctl::kDefaultScreenThreshold;
  std::optional<std::string> as_of;
  std::optional<std::string> licenses;  // eval: the license repository
  std::optional<std::string> ledger;    // eval: the draws on license caps, read and appended
  std::optional<std::string> book;      // licenses: planned shipments (JSON Lines)
  std::optional<std::string> audit_log;    // eval: the decision log appended to
  std::optional<std::string> expect_head;  // audit verify
  std::optional<std::string> request_id;   // audit show
  int expiring = 60;                    // licenses: days
  bool fail_on_alert = false;
  std::string format;  // json or text; empty: the command's default (eval json; screen, lists text)
  bool batch = false;
  bool explain = false;
  bool coverage = false;
  int threads = 0;  // --batch workers; 0: one per core
  std::optional<Outcome> fail_on;
  std::vector<std::string> args;
};

// The compiled rules, or the exit code saying why there are none.
struct Loaded {
  std::optional<Policy> policy;
  int exit_code = 0;
};

Loaded Load(const Options& o, bool print_warnings) {
  std::vector<exportctl::Diagnostic> diagnostics;
  std::vector<std::string> paths = o.rules.empty() ? DefaultRules() : o.rules;
  if (paths.empty()) {
    std::cerr << "exportctl: no bundled rules found; pass --rules PATH\n";
    return {std::nullopt, kExitBadInput};
  }
  absl::StatusOr<Policy> policy = Policy::Compile(paths, &diagnostics);
  for (const auto& d : diagnostics) {
    if (d.is_error() || print_warnings) std::cerr << d.Format();
  }
  if (!policy.ok()) {
    std::cerr << "exportctl: " << policy.status().message() << "\n";
    return {std::nullopt, absl::IsInvalidArgument(policy.status()) ? kExitRuleErrors
                                                                    : kExitBadInput};
  }
  return {*std::move(policy), 0};
}

// The restricted-party lists (--lists, else the bundled ones), or the exit code saying why
// there are none. With --no-screening, or when no lists are bundled, there are none (rules that
// screen then say so in the decision).
struct LoadedLists {
  std::optional<exportctl::Lists> lists;
  int exit_code = 0;
};

LoadedLists LoadListsFor(const Options& o) {
  if (o.no_screening) return {};
  std::vector<std::string> paths = o.lists.empty() ? DefaultLists() : o.lists;
  if (paths.empty()) {
    std::cerr << "exportctl: warning: no restricted-party lists found (pass --lists PATH); "
                 "rules that screen parties will fail closed\n";
    return {};
  }
  absl::StatusOr<exportctl::Lists> lists = exportctl::Lists::Load(paths);
  if (!lists.ok()) {
    std::optional<exportctl::ListError> error = exportctl::ListError::FromStatus(lists.status());
    std::cerr << "exportctl: error[" << (error ? error->code : "list_unreadable")
              << "]: " << lists.status().message() << "\n";
    return {std::nullopt, kExitBadInput};
  }
  return {*std::move(lists), 0};
}

// The decision for a batch line that is not a valid request: it fails closed.
Decision LineError(const Policy& policy, size_t number, std::string code, std::string_view why) {
  Decision d;
  d.outcome = Outcome::kReview;
  d.policy_digest = policy.digest();
  d.errors.push_back(
      {std::move(code), "line " + std::to_string(number) + ": " + std::string(why), ""});
  return d;
}

// Decides one JSON Lines request. `request` and `d` are the worker's, reused from line to
// line. False when the line is not a valid request (`d` then says why, failing closed).
bool DecideLine(const Policy& policy, std::string_view line, size_t number,
                const exportctl::EvaluateOptions& options, exportctl::Request& request, Decision& d) {
  if (line.size() > exportctl::kMaxBatchLineBytes) {  // (one that ended within a block)
    d = LineError(policy, number, "too_large",
                  "longer than " + std::to_string(exportctl::kMaxBatchLineBytes) + " bytes");
    return false;
  }
  if (absl::Status st = exportctl::Request::FromJson(line, &request); !st.ok()) {
    d = LineError(policy, number, CodeOf(st), std::string(st.message()));
    return false;
  }
  policy.Evaluate(request, &d, options);
  return true;
}

// Draws on license caps across the shipments, in input order, and appends them to the ledger
// (--licenses, --ledger): flushed and fsync'd after each block or shipment.
struct LicenseDrawing {
  exportctl::LicenseBook* book = nullptr;
  const exportctl::Licenses* licenses = nullptr;  // the book's repository
  // How a line the book affects is decided again before it draws (without the repository,
  // which Draw applies; with --explain's trace, not --coverage's, which counted it once).
  exportctl::EvaluateOptions options;
  int ledger = -1;  // file descriptor, or -1
  std::vector<exportctl::LicenseDraw> draws;
  bool Append() {
    if (ledger < 0 || draws.empty()) return true;
    std::string out;
    for (const exportctl::LicenseDraw& d : draws) out += d.ToJson() + "\n";
    draws.clear();
    for (size_t done = 0; done < out.size();) {
      ssize_t n = ::write(ledger, out.data() + done, out.size() - done);
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return ::fsync(ledger) == 0;
  }
};

// --batch: JSON Lines in, JSON Lines out, in input order. The input is read in blocks; the
// lines of a block are split between `threads` workers, each writing into its own buffer, and
// the buffers are written out while the next block is decided. A line longer than kMaxLine is
// not buffered further: it gets a `too_large` review decision and is skipped.
// With a license book (`drawing`), the workers decide with the repository alone; a decision the
// book can change (LicenseBook::Affects: it involves a capped license) is left as a hole in the
// worker's buffer and decided again after the block, in input order, drawing on the caps, so
// any number of threads gives the same balances. `json`: print writes exactly Decision's JSON
// and a newline (the audit log reuses it).
template <typename Print>
Outcome Batch(const Policy& policy, std::istream& in,
              const std::vector<exportctl::EvaluateOptions>& options, const Print& print,
              LicenseDrawing* drawing, exportctl::AuditLog* audit, bool json) {
  const int threads = static_cast<int>(options.size());  // one worker per options
  const exportctl::Licenses* used_licenses = drawing ? drawing->licenses : nullptr;
  // The audit log: each block's records are prepared by the workers; the writer (below)
  // commits them in input order and fsyncs the log before it writes the block's decisions out,
  // while the next block is decided. A decision printed is on disk in the log.
  auto audited = [&](absl::Status st) {
    if (!st.ok()) {
      std::cerr << "exportctl: " << st.message() << "\n";
      std::exit(kExitBadInput);
    }
  };
  constexpr size_t kBlock = 1 << 20, kMaxLine = exportctl::kMaxBatchLineBytes;
  Outcome worst = Outcome::kPermitted;
  std::string block, carry;
  std::vector<std::string> outs[2] = {std::vector<std::string>(threads),
                                      std::vector<std::string>(threads)};
  int current = 0;
  std::future<absl::Status> writing;  // the last block's writer: its log status
  std::vector<Outcome> worsts(threads);
  std::vector<Decision> decisions(threads);
  std::vector<exportctl::Request> requests(threads);
  size_t line_number = 0;
  bool skipping = false;  // inside an over-long line, up to its newline
  struct Line {
    std::string_view text;
    size_t number;
  };
  std::vector<Line> lines;
  // A line the book can change: where in its worker's buffer its decision goes, and the text.
  struct Hole {
    size_t offset;
    size_t line;  // index into `lines`
    std::string text;
  };
  std::vector<std::vector<Hole>> holes[2] = {std::vector<std::vector<Hole>>(threads),
                                             std::vector<std::vector<Hole>>(threads)};
  std::vector<std::optional<exportctl::AuditRecord>> audit_records[2];  // by line of the block
  std::vector<exportctl::EvaluateOptions> parallel = options;
  if (drawing && drawing->book) {
    for (exportctl::EvaluateOptions& p : parallel) p.licenses = drawing->licenses;
  }
  while (in || !carry.empty()) {
    block.assign(carry);  // the partial line left from the last block comes first
    const size_t kept = block.size();
    block.resize(kept + kBlock);
    in.read(block.data() + kept, static_cast<std::streamsize>(kBlock));
    block.resize(kept + static_cast<size_t>(in.gcount()));
    carry.clear();
    size_t first = 0;
    if (skipping) {
      first = block.find('\n');
      skipping = first == std::string::npos && in;
      first = first == std::string::npos ? block.size() : first + 1;
    }
    if (in) {  // keep the last, partial line for the next block
      size_t end = block.rfind('\n');
      if (end == std::string::npos || end < first) {
        if (block.size() - first <= kMaxLine) {
          carry.assign(block, first);
          continue;
        }
        Decision d = LineError(policy, ++line_number, "too_large",
                               "longer than " + std::to_string(kMaxLine) + " bytes");
        std::string out;
        print(d, out);
        if (writing.valid()) audited(writing.get());
        if (audit) {
          audited(audit->Commit(audit->PrepareInvalid(std::nullopt, d, used_licenses)));
          audited(audit->Flush());
        }
        std::cout << out;
        worst = std::max(worst, d.outcome);
        skipping = true;
        continue;
      }
      carry.assign(block, end + 1);
      block.resize(end + 1);
    }
    lines.clear();
    for (size_t pos = first; pos < block.size();) {
      size_t end = block.find('\n', pos);
      if (end == std::string::npos) end = block.size();
      std::string_view text(block.data() + pos, end - pos);
      ++line_number;
      if (text.find_first_not_of(" \t\r") != std::string_view::npos) {
        lines.push_back({text, line_number});
      }
      pos = end + 1;
    }
    std::vector<std::string>& outs_now = outs[current];
    std::vector<std::optional<exportctl::AuditRecord>>& records = audit_records[current];
    if (audit) {
      records.clear();
      records.resize(lines.size());
    }
    std::vector<std::vector<Hole>>& holes_now = holes[current];
    // Runs fn(t) for every worker t, worker 0 on this thread; t's share of the block's lines is
    // [lines.size() * t / threads, lines.size() * (t + 1) / threads).
    auto in_parallel = [&](auto&& fn) {
      std::vector<std::thread> workers;
      for (int t = 1; t < threads; ++t) workers.emplace_back(fn, t);
      fn(0);
      for (std::thread& w : workers) w.join();
    };
    auto share = [&](int t) {
      return std::pair{lines.size() * t / threads, lines.size() * (t + 1) / threads};
    };
    in_parallel([&](int t) {
      outs_now[t].clear();
      holes_now[t].clear();
      worsts[t] = Outcome::kPermitted;
      for (auto [i, end] = share(t); i < end; ++i) {
        const bool valid = DecideLine(policy, lines[i].text, lines[i].number, parallel[t],
                                      requests[t], decisions[t]);
        if (valid && drawing && drawing->book && drawing->book->Affects(decisions[t])) {
          std::string discard;  // (print also consumes what --explain traced)
          print(decisions[t], discard);
          holes_now[t].push_back({outs_now[t].size(), i, {}});
          continue;
        }
        const size_t printed = outs_now[t].size();
        print(decisions[t], outs_now[t]);
        worsts[t] = std::max(worsts[t], decisions[t].outcome);
        if (audit && !valid) {
          records[i] = audit->PrepareInvalid(lines[i].text, decisions[t], used_licenses);
        } else if (audit && json) {  // the JSON just printed, without its newline
          records[i] = audit->Prepare(
              requests[t],
              std::string_view(outs_now[t]).substr(printed, outs_now[t].size() - printed - 1),
              used_licenses);
        } else if (audit) {
          records[i] = audit->Prepare(requests[t], decisions[t], used_licenses);
        }
      }
    });
    if (drawing && drawing->book) {
      // The holes in input order: worker t's lines come before worker t + 1's.
      for (int t = 0; t < threads; ++t) {
        for (Hole& h : holes_now[t]) {
          DecideLine(policy, lines[h.line].text, lines[h.line].number, drawing->options,
                     requests[0], decisions[0]);
          drawing->book->Draw(requests[0], &decisions[0], &drawing->draws);
          print(decisions[0], h.text);
          if (audit) records[h.line] = audit->Prepare(requests[0], decisions[0], used_licenses);
          worst = std::max(worst, decisions[0].outcome);
        }
      }
      if (!drawing->Append()) {
        std::cerr << "exportctl: cannot write the ledger\n";
        std::exit(kExitBadInput);
      }
    }
    for (int t = 0; t < threads; ++t) worst = std::max(worst, worsts[t]);
    if (writing.valid()) audited(writing.get());
    writing = std::async(std::launch::async, [&outs_now, &holes_now, &records, audit]() -> absl::Status {
      if (audit) {
        for (std::optional<exportctl::AuditRecord>& r : records) {
          if (absl::Status st = audit->Commit(std::move(*r)); !st.ok()) return st;
        }
        if (absl::Status st = audit->Flush(); !st.ok()) return st;
      }
      auto write = [](std::string_view text) {
        std::cout.write(text.data(), static_cast<std::streamsize>(text.size()));
      };
      for (size_t t = 0; t < outs_now.size(); ++t) {
        size_t at = 0;
        for (const Hole& h : holes_now[t]) {
          write(std::string_view(outs_now[t]).substr(at, h.offset - at));
          write(h.text);
          at = h.offset;
        }
        write(std::string_view(outs_now[t]).substr(at));
      }
      return absl::OkStatus();
    });
    current ^= 1;
    if (!in) break;
  }
  if (writing.valid()) audited(writing.get());
  return worst;
}

// Counts, per rule, how often it was considered and how often it fired (--coverage).
class CoverageTrace : public exportctl::TraceListener {
 public:
  void OnRule(const exportctl::RuleTrace& t) override {
    auto& [considered, fired] = counts[t.rule];
    ++considered;
    fired += t.fired;
  }
  std::map<std::string, std::pair<long, long>> counts;
};

// Prints which rules fired over the run, and which never did, to stderr.
void PrintCoverage(const Policy& policy, const std::vector<CoverageTrace>& traces) {
  std::map<std::string, std::pair<long, long>> total;
  for (const CoverageTrace& t : traces) {
    for (const auto& [rule, c] : t.counts) {
      total[rule].first += c.first;
      total[rule].second += c.second;
    }
  }
  std::vector<std::string> never;
  for (const std::string& id : policy.rule_ids()) {
    if (total[id].second == 0) never.push_back(id);
  }
  const size_t rules = policy.rule_count();
  std::cerr << "coverage: " << rules - never.size() << " of " << rules << " rules fired\n";
  for (const std::string& id : policy.rule_ids()) {
    const auto& [considered, fired] = total[id];
    std::cerr << "  " << (fired ? "fired " : "NEVER ") << id << "  (considered " << considered
              << ", fired " << fired << ")\n";
  }
}

int Eval(const Options& o) {
  if (o.args.empty()) return Usage("eval needs a request file (or - for standard input)");
  if (o.batch && o.args.size() != 1) return Usage("--batch reads one JSON Lines file (or -)");
  if (o.args.size() > 1 && std::count(o.args.begin(), o.args.end(), "-")) {
    return Usage("- (standard input) cannot be combined with files");
  }
  if (o.coverage && o.explain) return Usage("--coverage and --explain go separately");
  Loaded loaded = Load(o, false);
  if (!loaded.policy) return loaded.exit_code;
  LoadedLists lists = LoadListsFor(o);
  if (lists.exit_code) return lists.exit_code;
  std::optional<exportctl::Licenses> licenses;
  std::optional<exportctl::LicenseBook> book;
  LicenseDrawing drawing;
  if (o.ledger && !o.licenses) return Usage("--ledger needs --licenses");
  std::unique_ptr<exportctl::AuditLog> audit;
  if (o.audit_log) {
    absl::StatusOr<std::unique_ptr<exportctl::AuditLog>> log = exportctl::AuditLog::Open(*o.audit_log);
    if (!log.ok()) {
      std::optional<exportctl::AuditError> e = exportctl::AuditError::FromStatus(log.status());
      std::cerr << "exportctl: error[" << (e ? e->code : "audit_unwritable") << "]: "
                << log.status().message() << "\n";
      return kExitBadInput;
    }
    audit = *std::move(log);
    if (audit->recovered()) std::cerr << "exportctl: warning: " << *audit->recovered() << "\n";
  }
  if (o.licenses) {
    absl::StatusOr<exportctl::Licenses> l = exportctl::Licenses::Load(*o.licenses);
    if (!l.ok()) {
      std::cerr << "exportctl: " << l.status().message() << "\n";
      return 2;
    }
    licenses = std::move(*l);
    book.emplace(*licenses);
    drawing.book = &*book;
    drawing.licenses = &*licenses;
    if (o.ledger) {
      if (absl::Status st = book->LoadLedger(*o.ledger); !st.ok()) {
        std::cerr << "exportctl: " << st.message() << "\n";
        return 2;
      }
      drawing.ledger = ::open(o.ledger->c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
      if (drawing.ledger < 0) {
        std::cerr << "exportctl: " << *o.ledger << ": cannot be written\n";
        return 2;
      }
    }
  }
  const std::optional<Policy>& policy = loaded.policy;
  // Explain shares one trace, so it runs on one thread.
  const int threads =
      !o.batch || o.explain ? 1
      : o.threads           ? o.threads
                            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  TextTrace trace;
  std::vector<CoverageTrace> coverage(threads);
  std::vector<exportctl::EvaluateOptions> options(threads);
  for (int t = 0; t < threads; ++t) {
    options[t].as_of = o.as_of;
    options[t].lists = lists.lists ? &*lists.lists : nullptr;
    options[t].no_screening = o.no_screening;
    options[t].licenses = nullptr;  // the book draws on the licenses (--batch: see Batch)
    if (o.explain) options[t].trace = &trace;
    if (o.coverage) options[t].trace = &coverage[t];
  }
  drawing.options = options[0];
  if (o.coverage) drawing.options.trace = nullptr;
  auto print = [&](const Decision& d, std::string& out) {
    if (o.format == "text") {
      out += d.ToText();
    } else {
      d.AppendJson(&out);
      out += '\n';
    }
    if (o.explain) {
      out += "explain:\n" + trace.out.str();
      trace.out.str("");
    }
  };
  Outcome worst = Outcome::kPermitted;
  for (const std::string& arg : o.args) {
    std::istream* in = &std::cin;
    std::ifstream file;
    if (arg != "-") {
      file.open(arg, std::ios::binary);
      if (!file) {
        std::cerr << "exportctl: " << arg << ": cannot open\n";
        return kExitBadInput;
      }
      in = &file;
    }
    if (o.batch) {
      // (print writes exactly the decision's JSON and a newline unless text or --explain.)
      worst = Batch(*policy, *in, options, print, &drawing, audit.get(),
                    o.format == "json" && !o.explain);
      continue;
    }
    std::ostringstream text;
    text << in->rdbuf();
    absl::StatusOr<exportctl::Request> request = exportctl::Request::FromJson(text.str());
    if (!request.ok()) {
      std::cerr << "exportctl: " << arg << ": error[" << CodeOf(request.status())
                << "]: " << request.status().message() << "\n";
      return kExitBadInput;
    }
    Decision d = policy->Evaluate(*request, options[0]);
    if (book) {
      book->Draw(*request, &d, &drawing.draws);
      if (!drawing.Append()) {
        std::cerr << "exportctl: cannot write the ledger\n";
        return kExitBadInput;
      }
    }
    worst = std::max(worst, d.outcome);
    if (audit) {  // on disk before it is printed
      absl::Status st = audit->Append(*request, d, drawing.licenses);
      if (st.ok()) st = audit->Flush();
      if (!st.ok()) {
        std::cerr << "exportctl: " << st.message() << "\n";
        return kExitBadInput;
      }
    }
    std::string out;
    print(d, out);
    std::cout << out;
  }
  std::cout.flush();
  if (o.coverage) PrintCoverage(*policy, coverage);
  return o.fail_on && worst >= *o.fail_on ? 3 : 0;
}

// Lists every license with its status and balance, and, with a book of planned shipments, each
// one relying on a license that will have expired or be exhausted. Exit 3 with --fail-on-alert
// when anything needs attention.
int LicensesCommand(const Options& o) {
  if (!o.args.empty()) return Usage("licenses takes no positional arguments");
  if (!o.licenses) return Usage("licenses needs --licenses FILE");
  absl::StatusOr<exportctl::Licenses> licenses = exportctl::Licenses::Load(*o.licenses);
  if (!licenses.ok()) {
    std::cerr << "exportctl: " << licenses.status().message() << "\n";
    return kExitBadInput;
  }
  exportctl::LicenseBook book(*licenses);
  if (o.ledger) {
    if (absl::Status st = book.LoadLedger(*o.ledger); !st.ok()) {
      std::cerr << "exportctl: " << st.message() << "\n";
      return kExitBadInput;
    }
  }
  std::string as_of;
  if (o.as_of) {
    // The request decoder is the one public date check: a request dated --as-of.
    if (!exportctl::Request::FromJson("{\"id\":\"x\",\"date\":\"" + *o.as_of +
                                      "\",\"route\":[\"US\",\"DE\"],\"materials\":[{\"id\":\"m\"}]}").ok()) {
      return Usage("--as-of is a date (YYYY-MM-DD)");
    }
    as_of = *o.as_of;
  } else {
    const std::time_t now = std::time(nullptr);
    char buf[11];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&now));
    as_of = buf;
  }
  std::vector<exportctl::Request> planned;
  if (o.book) {
    std::ifstream in(*o.book, std::ios::binary);
    if (!in) {
      std::cerr << "exportctl: " << *o.book << ": cannot open\n";
      return kExitBadInput;
    }
    std::string line;
    for (size_t n = 1; std::getline(in, line); ++n) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      absl::StatusOr<exportctl::Request> r = exportctl::Request::FromJson(line);
      if (!r.ok()) {
        std::cerr << "exportctl: " << *o.book << ":" << n << ": error[" << CodeOf(r.status())
                  << "]: " << r.status().message() << "\n";
        return kExitBadInput;
      }
      planned.push_back(*std::move(r));
    }
  }
  const std::vector<exportctl::LicenseStatus> statuses =
      exportctl::LicenseStatuses(*licenses, book, as_of, o.expiring);
  const std::vector<exportctl::LicenseAlert> alerts =
      exportctl::PlanAlerts(*licenses, book, planned);
  bool attention = !alerts.empty();
  for (const exportctl::LicenseStatus& s : statuses) {
    attention = attention || s.status != "active";
    if (o.format == "json") {
      std::cout << s.ToJson() << "\n";
    } else {
      std::cout << s.license << " (" << s.authority << "): " << s.status << ", " << s.valid_from
                << " to " << s.valid_to << " (" << s.days_left << " days left)";
      if (s.limit) {
        std::cout << ", used " << *s.used << " of " << *s.limit << " " << s.unit << ", "
                  << *s.remaining << " " << s.unit << " remaining";
      }
      std::cout << "\n";
    }
  }
  for (const exportctl::LicenseAlert& a : alerts) {
    if (o.format == "json") {
      std::cout << a.ToJson() << "\n";
    } else {
      std::cout << "ALERT " << a.request << ": license " << a.license << " " << a.alert << ": "
                << a.detail << "\n";
    }
  }
  std::cout.flush();
  return o.fail_on_alert && attention ? 3 : 0;
}

int Check(const Options& o) {
  if (!o.args.empty()) return Usage("check takes no positional arguments");
  Loaded loaded = Load(o, true);
  if (!loaded.policy) return loaded.exit_code;
  const std::optional<Policy>& policy = loaded.policy;
  std::cout << "ok: " << policy->rule_count() << " rules, " << policy->vertex_count()
            << " graph vertices, " << policy->digest() << "\n";
  return 0;
}

// Runs the `test` blocks of the rules: a line each, then the summary. Exit 1 when one fails
// or when there is none (a run that tested nothing should not look green).
int Test(const Options& o) {
  if (!o.args.empty()) return Usage("test takes no positional arguments");
  Loaded loaded = Load(o, false);
  if (!loaded.policy) return loaded.exit_code;
  const std::optional<Policy>& policy = loaded.policy;
  LoadedLists lists = LoadListsFor(o);
  if (lists.exit_code) return lists.exit_code;
  exportctl::EvaluateOptions options;
  options.lists = lists.lists ? &*lists.lists : nullptr;
  options.no_screening = o.no_screening;
  int passed = 0, failed = 0;
  for (const exportctl::TestResult& r : policy->RunTests(options)) {
    (r.passed ? passed : failed)++;
    std::cout << (r.passed ? "PASS " : "FAIL ") << r.test << "  (" << r.source << ")";
    if (!r.passed) std::cout << ": " << r.message;
    std::cout << "\n";
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  if (passed + failed == 0) std::cerr << "exportctl: no test blocks in the rules\n";
  return failed == 0 && passed > 0 ? 0 : 1;
}

int Graph(const Options& o) {
  if (!o.args.empty()) return Usage("graph takes no positional arguments");
  Loaded loaded = Load(o, false);
  if (!loaded.policy) return loaded.exit_code;
  const std::optional<Policy>& policy = loaded.policy;
  std::cout << policy->ToDot();
  return 0;
}

// Screens names against the lists: per name, its matches best first.
int Screen(const Options& o) {
  if (o.args.empty()) return Usage("screen needs names (or - to read one per line)");
  if (o.args.size() > 1 && std::count(o.args.begin(), o.args.end(), "-")) {
    return Usage("- (standard input) cannot be combined with names");
  }
  LoadedLists lists = LoadListsFor(o);
  if (lists.exit_code) return lists.exit_code;
  if (!lists.lists) {
    std::cerr << "exportctl: screen needs lists (--lists PATH)\n";
    return kExitBadInput;
  }
  exportctl::ScreenOptions options;
  options.threshold = o.threshold;
  if (o.country) options.country = *o.country;
  auto screen = [&](const std::string& name) {
    std::vector<exportctl::ListMatch> matches = lists.lists->Screen(name, options);
    std::string out;
    if (o.format == "json") {
      out = exportctl::ScreeningToJson(name, matches) + "\n";
    } else {
      out = name + ": " + (matches.empty() ? "no match" : std::to_string(matches.size()) +
                                                              (matches.size() == 1 ? " match" : " matches")) + "\n";
      for (const exportctl::ListMatch& m : matches) {
        out += "  " + std::to_string(m.score) + "  " + m.list + " " + m.entry + "  " + m.alias;
        if (m.alias != m.name) out += "  (alias of " + m.name + ")";
        out += "\n";
      }
    }
    std::cout << out;
  };
  if (o.args.size() == 1 && o.args[0] == "-") {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      screen(line);
    }
  } else {
    for (const std::string& name : o.args) screen(name);
  }
  std::cout.flush();
  return 0;
}

// Prints each loaded list: code, date, entries, aliases, digest.
int ListsCommand(const Options& o) {
  if (!o.args.empty()) return Usage("lists takes no positional arguments");
  LoadedLists lists = LoadListsFor(o);
  if (lists.exit_code) return lists.exit_code;
  if (!lists.lists) {
    std::cerr << "exportctl: no lists to show (pass --lists PATH)\n";
    return kExitBadInput;
  }
  for (const exportctl::ListInfo& l : lists.lists->info()) {
    if (o.format == "json") {
      std::cout << l.ToJson() << "\n";
    } else {
      std::cout << l.code << "\t" << (l.date.empty() ? "unknown" : l.date) << "\t" << l.entries
                << " entries\t" << l.aliases << " aliases\t" << l.digest << "\t" << l.path
                << "\n";
    }
  }
  return 0;
}

}  // namespace

// `audit verify FILE [--expect-head H]`: exit 0 with the record count and head, or 1 naming
// the first bad line. `audit show FILE --request ID`: the records of one shipment.
int AuditCommand(const Options& o) {
  if (o.args.size() != 2 || (o.args[0] != "verify" && o.args[0] != "show")) {
    return Usage("audit verify FILE, or audit show FILE --request ID");
  }
  const std::string& file = o.args[1];
  if (o.args[0] == "verify") {
    if (o.request_id) return Usage("--request is an option of audit show");
    const exportctl::AuditVerification v = exportctl::VerifyAuditLog(file, o.expect_head.value_or(""));
    if (v.code == "audit_unreadable") {
      std::cerr << "exportctl: error[audit_unreadable]: " << v.message << "\n";
      return kExitBadInput;
    }
    if (!v.ok) {
      std::cout << file << ": error[" << v.code << "]: " << v.message << "\n";
      return 1;
    }
    std::cout << file << ": ok, " << v.records << " records, head " << v.head << "\n";
    if (!o.expect_head) {
      std::cout << "note: lines cut off the end leave a valid shorter log that no chain can tell "
                   "apart; keep the head elsewhere and pass it as --expect-head\n";
    }
    return 0;
  }
  if (o.expect_head) return Usage("--expect-head is an option of audit verify");
  if (!o.request_id) return Usage("audit show needs --request ID");
  absl::StatusOr<std::vector<std::string>> records = exportctl::AuditRecordsFor(file, *o.request_id);
  if (!records.ok()) {
    std::optional<exportctl::AuditError> e = exportctl::AuditError::FromStatus(records.status());
    std::cerr << "exportctl: error[" << (e ? e->code : "audit_unreadable") << "]: "
              << records.status().message() << "\n";
    return kExitBadInput;
  }
  for (const std::string& r : *records) std::cout << r << "\n";
  return 0;
}

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  if (argc < 2) return Usage("missing command");
  std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  Options o;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    if (a == "--lists") {
      // One path, or for `screen` and `lists` (whose other arguments are names, not files)
      // also the list files after it. `eval` and `test` repeat --lists instead.
      std::optional<std::string> v = value();
      if (!v) return Usage("--lists needs a path");
      o.lists.push_back(*v);
      const bool greedy = command == "screen" || command == "lists";
      while (greedy && i + 1 < argc && argv[i + 1][0] != '-' && IsListFile(argv[i + 1])) {
        o.lists.push_back(argv[++i]);
      }
    } else if (a == "--threshold") {
      std::optional<std::string> v = value();
      char* end = nullptr;
      long n = v ? std::strtol(v->c_str(), &end, 10) : -1;
      if (!v || v->empty() || *end || n < 0 || n > 100) return Usage("--threshold is 0 to 100");
      o.threshold = static_cast<int>(n);
    } else if (a == "--country") {
      std::optional<std::string> v = value();
      if (!v || v->size() != 2 || !std::isupper(static_cast<unsigned char>((*v)[0])) ||
          !std::isupper(static_cast<unsigned char>((*v)[1]))) {
        return Usage("--country is an ISO 3166-1 alpha-2 code (e.g. DE)");
      }
      o.country = *v;
    } else if (a == "--no-screening") {
      o.no_screening = true;
    } else if (a == "--ledger") {
      std::optional<std::string> v = value();
      if (!v) return Usage("--ledger needs a file");
      if (command != "eval" && command != "licenses") return Usage("--ledger is for eval and licenses");
      o.ledger = *v;
    } else if (a == "--licenses") {
      std::optional<std::string> v = value();
      if (!v) return Usage("--licenses needs a file");
      if (command != "eval" && command != "licenses") return Usage("--licenses is for eval and licenses");
      o.licenses = *v;
    } else if (a == "--expiring" || a == "--book") {
      std::optional<std::string> v = value();
      if (!v) return Usage(a + " needs a value");
      if (command != "licenses") return Usage(a + " is an option of licenses");
      if (a == "--book") o.book = *v;
      if (a == "--expiring") {
        char* end = nullptr;
        long n = std::strtol(v->c_str(), &end, 10);
        if (v->empty() || n < 0 || n > 36500 || (*end && std::string(end) != "d")) {
          return Usage("--expiring is a number of days (e.g. 60d)");
        }
        o.expiring = static_cast<int>(n);
      }
    } else if (a == "--audit-log" || a == "--expect-head" || a == "--request") {
      std::optional<std::string> v = value();
      if (!v) return Usage(a + " needs a value");
      if (a == "--audit-log") {
        if (command != "eval") return Usage("--audit-log is an option of eval");
        o.audit_log = *v;
      } else if (command != "audit") {
        return Usage(a + " is an option of audit");
      } else {
        (a == "--expect-head" ? o.expect_head : o.request_id) = *v;
      }
    } else if (a == "--fail-on-alert") {
      if (command != "licenses") return Usage("--fail-on-alert is an option of licenses");
      o.fail_on_alert = true;
    } else if (a == "--rules" || a == "--as-of" || a == "--format" || a == "--fail-on" ||
        a == "--threads") {
      std::optional<std::string> v = value();
      if (!v) return Usage(a + " needs a value");
      if (a == "--rules") o.rules.push_back(*v);
      if (a == "--as-of") o.as_of = *v;
      if (a == "--format") {
        if (*v != "json" && *v != "text") return Usage("--format is json or text");
        o.format = *v;
      }
      if (a == "--threads") {
        char* end = nullptr;
        long n = std::strtol(v->c_str(), &end, 10);
        if (v->empty() || *end || n < 1 || n > 256) return Usage("--threads is 1 to 256");
        o.threads = static_cast<int>(n);
      }
      if (a == "--fail-on") {
        o.fail_on = exportctl::ParseOutcome(*v);
        if (!o.fail_on) return Usage("unknown outcome `" + *v + "`");
      }
    } else if (a == "--batch") {
      o.batch = true;
    } else if (a == "--explain") {
      o.explain = true;
    } else if (a == "--coverage") {
      o.coverage = true;
    } else if (a.size() > 1 && a[0] == '-' && a != "-") {
      return Usage("unknown option " + a);
    } else {
      o.args.push_back(a);
    }
  }
  if (o.no_screening && !o.lists.empty()) return Usage("--lists and --no-screening go separately");
  const bool screens = command == "screen" || command == "lists" || command == "licenses";
  if (o.no_screening && screens) return Usage(command + " needs lists; --no-screening is for eval and test");
  if ((o.country || o.threshold != exportctl::kDefaultScreenThreshold) && command != "screen") {
    return Usage("--country and --threshold are options of screen");
  }
  if (!o.lists.empty() && !screens && command != "eval" && command != "test") {
    return Usage("--lists is an option of eval, test, screen and lists");
  }
  if (o.format.empty()) o.format = screens ? "text" : "json";
  if (command == "eval") return Eval(o);
  if (command == "check") return Check(o);
  if (command == "test") return Test(o);
  if (command == "graph") return Graph(o);
  if (command == "screen") return Screen(o);
  if (command == "lists") return ListsCommand(o);
  if (command == "licenses") return LicensesCommand(o);
  if (command == "audit") return AuditCommand(o);
  return Usage("unknown command `" + command + "`");
}
