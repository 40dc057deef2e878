// C++ shims for the Python facade in exportctl/__init__.py. JSON crosses the boundary as text,
// so the Python API has exactly the contract's shapes.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "absl/strings/cord.h"
#include "exportctl/exportctl.h"

namespace py = pybind11;

namespace exportctl::python {
namespace {

py::list Diagnostics(const std::vector<Diagnostic>& diagnostics) {
  py::list out;
  for (const Diagnostic& d : diagnostics) {
    py::dict x;
    x["severity"] = d.is_error() ? "error" : "warning";
    x["code"] = d.code;
    x["message"] = d.message;
    x["help"] = d.help;
    x["file"] = d.file;
    x["line"] = d.line;
    x["column"] = d.column;
    x["formatted"] = d.Format();
    out.append(x);
  }
  return out;
}

// Returns (policy or None, diagnostics, status message).
py::tuple Finish(absl::StatusOr<Policy> policy, const std::vector<Diagnostic>& diagnostics) {
  if (!policy.ok()) {
    return py::make_tuple(py::none(), Diagnostics(diagnostics),
                          std::string(policy.status().message()));
  }
  return py::make_tuple(*std::move(policy), Diagnostics(diagnostics), "");
}

// The request error of a status from Request::FromJson, with the code and the JSON path apart.
RequestError ErrorOf(const absl::Status& status) {
  std::optional<RequestError> error = RequestError::FromStatus(status);
  if (error) return *std::move(error);
  return {"invalid_request", "$", std::string(status.message())};
}

// Loads data apart from the rules (lists, licenses) without the GIL: (the data or None, the
// error's stable code, its message).
template <typename Error, typename Load>
py::tuple LoadResult(Load&& load, const char* fallback_code) {
  decltype(load()) loaded = absl::UnknownError("not loaded");
  {
    py::gil_scoped_release release;
    loaded = load();
  }
  if (!loaded.ok()) {
    std::optional<Error> e = Error::FromStatus(loaded.status());
    return py::make_tuple(py::none(), e ? e->code : fallback_code,
                          std::string(loaded.status().message()));
  }
  return py::make_tuple(*std::move(loaded), "", "");
}

}  // namespace
}  // namespace exportctl::python

PYBIND11_MODULE(_exportctl, m) {
  using namespace exportctl;
  using namespace exportctl::python;
  py::class_<Policy>(m, "Policy")
      .def("evaluate_json",
           [](const Policy& p, const std::string& json, std::optional<std::string> as_of,
              const Lists* lists, bool no_screening, const Licenses* licenses) {
             std::string out;
             RequestError error;
             {
               py::gil_scoped_release release;
               absl::StatusOr<Request> r = Request::FromJson(json);
               if (r.ok()) {
                 EvaluateOptions o;
                 o.as_of = as_of;
                 o.lists = lists;
                 o.no_screening = no_screening;
                 o.licenses = licenses;
                 out = p.Evaluate(*r, o).ToJson();
               } else {
                 error = ErrorOf(r.status());
               }
             }
             return py::make_tuple(out, error.code, error.message, error.path);
           })
      .def("decide_json",
           [](const Policy& p, const std::string& json, std::optional<std::string> as_of,
              const Lists* lists, bool no_screening, const Licenses* licenses) {
             Verdict v;
             RequestError error;
             {
               py::gil_scoped_release release;
               absl::StatusOr<Request> r = Request::FromJson(json);
               if (r.ok()) {
                 EvaluateOptions o;
                 o.as_of = as_of;
                 o.lists = lists;
                 o.no_screening = no_screening;
                 o.licenses = licenses;
                 p.Decide(*r, &v, o);
               } else {
                 error = ErrorOf(r.status());
               }
             }
             py::list rules;
             for (std::uint32_t r : v.rules) rules.append(p.rule_id(r));
             return py::make_tuple(std::string(OutcomeName(v.outcome)), rules, v.errors,
                                   error.code, error.message, error.path);
           })
      .def("run_tests",
           [](const Policy& p, const Lists* lists, bool no_screening) {
             std::vector<TestResult> results;
             {
               py::gil_scoped_release release;
               EvaluateOptions o;
               o.lists = lists;
               o.no_screening = no_screening;
               results = p.RunTests(o);
             }
             py::list out;
             for (const TestResult& r : results) {
               py::dict d;
               d["test"] = r.test;
               d["title"] = r.title;
               d["source"] = r.source;
               d["passed"] = r.passed;
               d["message"] = r.message;
               out.append(d);
             }
             return out;
           })
      .def_property_readonly("rule_ids", &Policy::rule_ids)
      .def_property_readonly("digest", &Policy::digest)
      .def_property_readonly("rule_count", &Policy::rule_count)
      .def_property_readonly("vertex_count", &Policy::vertex_count)
      .def("to_dot", &Policy::ToDot)
      .def("sources", [](const Policy& p) {
        py::list out;
        for (const SourceFile& f : p.sources()) out.append(py::make_tuple(f.name, f.text));
        return out;
      });
  py::class_<Lists>(m, "Lists")
      .def("info_json",
           [](const Lists& l) {
             std::vector<std::string> out;
             for (const ListInfo& i : l.info()) out.push_back(i.ToJson());
             return out;
           })
      .def("screen_json", [](const Lists& l, const std::string& name, const std::string& country,
                             int threshold, const std::vector<std::string>& codes, size_t limit) {
        std::string out;
        {
          py::gil_scoped_release release;
          ScreenOptions o;
          o.country = country;
          o.threshold = threshold;
          o.lists = codes;
          o.limit = limit;
          out = ScreeningToJson(name, l.Screen(name, o));
        }
        return out;
      });
  py::class_<Licenses>(m, "Licenses")
      .def("ids", [](const Licenses& l) {
        std::vector<std::string> out;
        for (const License& x : l.all()) out.push_back(x.id);
        return out;
      });
  // Each returns (the loaded data or None, error code, error message).
  m.def("load_licenses", [](const std::string& path) {
    return LoadResult<LicenseError>([&] { return Licenses::Load(path); }, "license_unreadable");
  });
  m.def("load_lists", [](const std::vector<std::string>& paths) {
    return LoadResult<ListError>([&] { return Lists::Load(paths); }, "list_unreadable");
  });
  m.attr("DEFAULT_SCREEN_THRESHOLD") = kDefaultScreenThreshold;
  m.def("compile_paths", [](const std::vector<std::string>& paths) {
    std::vector<Diagnostic> diagnostics;
    absl::StatusOr<Policy> p = Policy::Compile(paths, &diagnostics);
    return Finish(std::move(p), diagnostics);
  });
  m.def("compile_sources", [](const std::vector<std::pair<std::string, std::string>>& files) {
    std::vector<SourceFile> sources;
    for (const auto& [name, text] : files) sources.push_back({name, text});
    std::vector<Diagnostic> diagnostics;
    absl::StatusOr<Policy> p = Policy::CompileSources(std::move(sources), &diagnostics);
    return Finish(std::move(p), diagnostics);
  });
}
