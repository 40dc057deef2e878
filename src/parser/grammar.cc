// The only translation unit that instantiates the X3 grammar.
#include "src/parser/grammar.h"

#include <string_view>

#include "src/parser/grammar_def.h"

namespace exportctl::internal::grammar {

namespace {

// Turns X3's description of what it expected ("'}'", "`then`", "expression") into prose.
std::string Describe(std::string which) {
  if (which.size() >= 3 && which.front() == '\'' && which.back() == '\'') {
    return "`" + which.substr(1, which.size() - 2) + "`";
  }
  if (which.size() >= 3 && which.front() == '"' && which.back() == '"') {
    return "`" + which.substr(1, which.size() - 2) + "`";
  }
  return which;
}

template <typename Parser, typename Attr>
Result Run(const Parser& parser, const char*& it, const char* end, const char* base, Attr& attr,
           const char* what) {
  Result result;
  int depth = 0;
  try {
    result.ok = x3::phrase_parse(
        it, end, x3::with<depth_tag>(&depth)[x3::with<base_tag>(base)[parser]], skipper, attr);
    if (!result.ok) {
      result.where = it;
      result.expected = what;
    }
  } catch (const x3::expectation_failure<const char*>& e) {
    result.ok = false;
    result.where = e.where();
    result.expected = Describe(e.which());
  } catch (const too_deep& e) {
    result.ok = false;
    result.where = e.where;
    result.too_deep = true;
  }
  return result;
}

auto const import_clause = kw_import > qname > -(kw_as > ident);

}  // namespace

void SkipSpace(const char*& it, const char* end) { x3::parse(it, end, *skipper); }

Result ParseHeader(const char*& it, const char* end, const char* base, ast::File& file) {
  SkipSpace(it, end);
  file.package_begin = static_cast<int>(it - base);
  std::string package;
  Result r = Run(kw_package > qname, it, end, base, package, "`package`");
  if (!r.ok) return r;
  file.package = package;
  file.package_end = static_cast<int>(it - base);
  for (;;) {
    SkipSpace(it, end);
    const char* start = it;
    boost::fusion::deque<std::string, boost::optional<std::string>> parsed;
    if (!x3::parse(it, end, &kw_import)) return r;  // no more imports
    r = Run(import_clause, it, end, base, parsed, "`import`");
    if (!r.ok) return r;
    ast::Import import;
    import.package = boost::fusion::at_c<0>(parsed);
    if (auto alias = boost::fusion::at_c<1>(parsed)) {
      import.alias = *alias;
    } else {
      import.alias = import.package.substr(import.package.rfind('.') + 1);
    }
    import.begin = static_cast<int>(start - base);
    import.end = static_cast<int>(it - base);
    file.imports.push_back(std::move(import));
  }
}

Result ParseDecl(const char*& it, const char* end, const char* base, ast::Node& node) {
  return Run(decl, it, end, base, node, "`rule`, `set` or `table`");
}

}  // namespace exportctl::internal::grammar
