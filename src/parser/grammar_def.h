#ifndef EXPORTCTL_SRC_PARSER_GRAMMAR_DEF_H_
#define EXPORTCTL_SRC_PARSER_GRAMMAR_DEF_H_

// The Spirit X3 grammar of the rule language. Included by grammar.cc only, so one translation
// unit pays for the templates. rules/LANGUAGE.md is the prose version of this file.

#include <boost/spirit/home/x3.hpp>

#include "exportctl/exportctl.h"
#include "src/parser/ast.h"

namespace exportctl::internal::grammar {

namespace x3 = boost::spirit::x3;
using ast::Kind;
using ast::Node;

struct base_tag;   // context key: the first byte of the file, for offsets
struct depth_tag;  // context key: int*, how deep the expression rules have recursed

// The recursion of the expression rules is bounded where it happens. ParseFile's nesting check
// reads the text before parsing with its own view of strings, comments and test requests, and
// where that view and the grammar's differ (after a syntax error the grammar resumes in text the
// check took for a string), nothing else stopped the recursion before the stack ended. Each
// level of `(`, `[`, call, quantifier or `not` enters not_expr once; the bound admits every text
// the nesting check admits (kMaxNestingDepth brackets, each with 8 `not`s).
inline constexpr int kMaxRecursion = (kMaxNestingDepth + 1) * 9;

// Thrown where the bound is passed; ParseFile reports it as nesting_too_deep.
struct too_deep {
  const char* where;
};

template <typename Subject>
struct depth_guard : x3::unary_parser<Subject, depth_guard<Subject>> {
  using base_type = x3::unary_parser<Subject, depth_guard<Subject>>;
  static bool const is_pass_through_unary = true;
  static bool const handles_container = Subject::handles_container;
  constexpr depth_guard(Subject const& subject) : base_type(subject) {}

  template <typename It, typename Context, typename RContext, typename Attribute>
  bool parse(It& first, It const& last, Context const& context, RContext& rcontext,
             Attribute& attr) const {
    int& depth = *x3::get<depth_tag>(context);
    if (depth >= kMaxRecursion) throw too_deep{first};
    ++depth;
    struct Leave {
      int& depth;
      ~Leave() { --depth; }  // also when an expectation failure unwinds through here
    } leave{depth};
    return this->subject.parse(first, last, context, rcontext, attr);
  }
};

struct depth_guard_gen {
  template <typename Subject>
  constexpr depth_guard<typename x3::extension::as_parser<Subject>::value_type> operator[](
      Subject const& subject) const {
    return {x3::as_parser(subject)};
  }
};
inline constexpr depth_guard_gen guarded{};

// A test's request: a JSON object kept as text (the checker decodes it), i.e. balanced braces
// outside JSON strings. Scanned in a loop rather than by a recursive rule, so no nesting of
// braces can exhaust the stack (the request decoder bounds the depth when it reads the text).
struct json_object_parser : x3::parser<json_object_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;

  template <typename It, typename Context, typename RContext, typename Attribute>
  bool parse(It& first, It const& last, Context const& context, RContext&, Attribute&) const {
    x3::skip_over(first, last, context);
    It it = first;
    if (it == last || *it != '{') return false;
    long depth = 0;
    while (it != last) {
      const char c = *it++;
      if (c == '"') {
        while (it != last && *it != '"') {
          if (*it == '\\' && ++it == last) return false;
          ++it;
        }
        if (it == last) return false;
        ++it;
      } else if (c == '{') {
        ++depth;
      } else if (c == '}' && --depth == 0) {
        first = it;
        return true;
      }
    }
    return false;
  }
};

// Records the matched range (after skipping) in the node: `x3::raw[rhs][set_range]`. (A rule
// with semantic actions parses with an unused attribute, so X3's on_success never sees it.)
inline auto const set_range = [](auto& ctx) {
  const char* base = x3::get<base_tag>(ctx);
  auto& range = x3::_attr(ctx);
  x3::_val(ctx).begin = static_cast<int>(range.begin() - base);
  x3::_val(ctx).end = static_cast<int>(range.end() - base);
};

// --- semantic actions -------------------------------------------------------------------------
inline auto kind(Kind k) {
  return [k](auto& ctx) { x3::_val(ctx).kind = k; };
}
inline auto const assign = [](auto& ctx) { x3::_val(ctx) = std::move(x3::_attr(ctx)); };
inline auto const push = [](auto& ctx) { x3::_val(ctx).kids.push_back(std::move(x3::_attr(ctx))); };
inline auto const set_text = [](auto& ctx) {
  auto& attr = x3::_attr(ctx);
  x3::_val(ctx).text.assign(attr.begin(), attr.end());
};
inline auto const set_key = [](auto& ctx) {
  auto& attr = x3::_attr(ctx);
  x3::_val(ctx).key.assign(attr.begin(), attr.end());
};
inline auto const set_number = [](auto& ctx) { x3::_val(ctx).number = x3::_attr(ctx); };
inline auto key_is(const char* k) {
  return [k](auto& ctx) { x3::_val(ctx).key = k; };
}
// Fold `lhs op rhs op rhs...` into one n-ary node of kind `k`.
inline auto nary(Kind k) {
  return [k](auto& ctx) {
    Node& v = x3::_val(ctx);
    if (v.kind != k || v.kids.size() < 2) {
      Node n;
      n.kind = k;
      n.begin = v.begin;
      n.kids.push_back(std::move(v));
      v = std::move(n);
    }
    v.kids.push_back(std::move(x3::_attr(ctx)));
  };
}
// A predicate tail (`in S`, `== x`, `is known`) takes the operand parsed before it as first kid.
inline auto const attach_tail = [](auto& ctx) {
  Node tail = std::move(x3::_attr(ctx));
  tail.kids.insert(tail.kids.begin(), std::move(x3::_val(ctx)));
  x3::_val(ctx) = std::move(tail);
};
inline auto const wrap_not = [](auto& ctx) {
  Node n;
  n.kind = Kind::kNot;
  n.kids.push_back(std::move(x3::_attr(ctx)));
  x3::_val(ctx) = std::move(n);
};

}  // namespace exportctl::internal::grammar

// Error messages name what was expected; an action says what its subject says.
namespace boost::spirit::x3 {
template <typename Subject, typename Action>
struct get_info<action<Subject, Action>> {
  typedef std::string result_type;
  std::string operator()(action<Subject, Action> const& p) const { return what(p.subject); }
};
template <typename Subject>
struct get_info<raw_directive<Subject>> {
  typedef std::string result_type;
  std::string operator()(raw_directive<Subject> const& p) const { return what(p.subject); }
};
}  // namespace boost::spirit::x3

namespace exportctl::internal::grammar {

// --- lexical ----------------------------------------------------------------------------------
using x3::alnum;
using x3::alpha;
using x3::char_;
using x3::digit;
using x3::lexeme;
using x3::lit;

auto const skipper = x3::space | (lit("//") >> *(char_ - x3::eol)) | (lit('#') >> *(char_ - x3::eol));

#define EXPORTCTL_KEYWORD(word)                                                \
  x3::rule<class kw_##word##_id> const kw_##word = "`" #word "`";              \
  auto const kw_##word##_def = lexeme[lit(#word) >> !(alnum | char_('_'))];    \
  BOOST_SPIRIT_DEFINE(kw_##word)

EXPORTCTL_KEYWORD(package);
EXPORTCTL_KEYWORD(import);
EXPORTCTL_KEYWORD(as);
EXPORTCTL_KEYWORD(set);
EXPORTCTL_KEYWORD(table);
EXPORTCTL_KEYWORD(rule);
EXPORTCTL_KEYWORD(title);
EXPORTCTL_KEYWORD(cite);
EXPORTCTL_KEYWORD(effective);
EXPORTCTL_KEYWORD(for);
EXPORTCTL_KEYWORD(each);
EXPORTCTL_KEYWORD(material);
EXPORTCTL_KEYWORD(when);
EXPORTCTL_KEYWORD(then);
EXPORTCTL_KEYWORD(and);
EXPORTCTL_KEYWORD(or);
EXPORTCTL_KEYWORD(not);
EXPORTCTL_KEYWORD(in);
EXPORTCTL_KEYWORD(matches);
EXPORTCTL_KEYWORD(is);
EXPORTCTL_KEYWORD(known);
EXPORTCTL_KEYWORD(missing);
EXPORTCTL_KEYWORD(any);
EXPORTCTL_KEYWORD(all);
EXPORTCTL_KEYWORD(true);
EXPORTCTL_KEYWORD(false);
EXPORTCTL_KEYWORD(authority);
EXPORTCTL_KEYWORD(basis);
EXPORTCTL_KEYWORD(prohibited);
EXPORTCTL_KEYWORD(review);
EXPORTCTL_KEYWORD(license_required);
EXPORTCTL_KEYWORD(condition);
EXPORTCTL_KEYWORD(permitted);
EXPORTCTL_KEYWORD(test);
EXPORTCTL_KEYWORD(request);
EXPORTCTL_KEYWORD(as_of);
EXPORTCTL_KEYWORD(expect);
EXPORTCTL_KEYWORD(fires);
EXPORTCTL_KEYWORD(predicate);
EXPORTCTL_KEYWORD(leg);
EXPORTCTL_KEYWORD(ignoring);
EXPORTCTL_KEYWORD(case);
EXPORTCTL_KEYWORD(decision);
EXPORTCTL_KEYWORD(columns);
EXPORTCTL_KEYWORD(complete);
EXPORTCTL_KEYWORD(row);
EXPORTCTL_KEYWORD(regime);
EXPORTCTL_KEYWORD(covers);
EXPORTCTL_KEYWORD(of);
#undef EXPORTCTL_KEYWORD

auto const reserved = kw_package | kw_import | kw_as | kw_set | kw_table | kw_rule | kw_title |
                      kw_cite | kw_effective | kw_for | kw_each | kw_when | kw_then | kw_and |
                      kw_or | kw_not | kw_in | kw_matches | kw_is | kw_any | kw_all | kw_true |
                      kw_false | kw_predicate | kw_leg | kw_decision | kw_regime;

x3::rule<class ident_id, std::string> const ident = "name";
auto const ident_def = lexeme[(alpha | char_('_')) >> *(alnum | char_('_'))] - reserved;

x3::rule<class qname_id, std::string> const qname = "dotted name";
auto const qname_def = lexeme[(alpha | char_('_')) >> *(alnum | char_('_')) >>
                              *(char_('.') >> (alpha | char_('_')) >> *(alnum | char_('_')))] -
                       reserved;

x3::rule<class quoted_id, std::string> const quoted = "string";
auto const escape = lit('\\') >> ((lit('n') >> x3::attr('\n')) | (lit('t') >> x3::attr('\t')) |
                                  char_("\"\\"));
auto const quoted_def = lexeme['"' > *(escape | (char_ - char_("\"\\\n"))) > '"'];

x3::rule<class date_text_id, std::string> const date_text = "date";
auto const date_text_def = lexeme[x3::repeat(4)[digit] >> char_('-') >> x3::repeat(2)[digit] >>
                                  char_('-') >> x3::repeat(2)[digit] >> !(alnum | char_('_'))];

x3::rule<class bareword_id, std::string> const bareword = "value";
auto const bareword_def = lexeme[+(alnum | char_("_.*-"))];

BOOST_SPIRIT_DEFINE(ident, qname, quoted, date_text, bareword);

// --- expressions ------------------------------------------------------------------------------

x3::rule<class expr_id, Node> const expr = "expression";
x3::rule<class or_id, Node> const or_expr = "expression";
x3::rule<class and_id, Node> const and_expr = "expression";
x3::rule<class not_id, Node> const not_expr = "expression";
x3::rule<class predicate_id, Node> const predicate = "expression";
x3::rule<class tail_id, Node> const tail = "comparison";
x3::rule<class operand_id, Node> const operand = "operand";
x3::rule<class string_id, Node> const string_lit = "string";
x3::rule<class date_id, Node> const date_lit = "date (YYYY-MM-DD)";
x3::rule<class number_id, Node> const number_lit = "number";
x3::rule<class bool_id, Node> const bool_lit = "`true` or `false`";
x3::rule<class set_literal_id, Node> const set_literal = "set `{...}`";
x3::rule<class element_id, Node> const element = "set element";
x3::rule<class quantifier_id, Node> const quantifier = "quantifier";
x3::rule<class path_id, Node> const path = "attribute or name";
x3::rule<class call_id, Node> const call = "function call";
x3::rule<class unit_word_id, std::string> const unit_word = "unit";
x3::rule<class unit_number_id, Node> const unit_number = "number with a unit";
x3::rule<class quantity_id, Node> const quantity_lit = "quantity (`4 L`, `50 mL | 50 g`)";

auto const compare_op = x3::raw[lit("==") | lit("!=") | lit("<=") | lit(">=") | lit('<') | lit('>')];

auto const expr_def = x3::raw[or_expr[assign]][set_range];
auto const or_expr_def = x3::raw[and_expr[assign] >> *(kw_or > and_expr[nary(Kind::kOr)])][set_range];
auto const and_expr_def = x3::raw[not_expr[assign] >> *(kw_and > not_expr[nary(Kind::kAnd)])][set_range];
auto const not_expr_def =
    guarded[x3::raw[(kw_not > not_expr[wrap_not]) | predicate[assign]][set_range]];
auto const predicate_def = x3::raw[operand[assign] >> -tail[attach_tail]][set_range];
auto const tail_def = x3::raw[(compare_op[set_text] > operand[push])[kind(Kind::kCompare)] |
    (kw_not >> kw_in > operand[push])[kind(Kind::kNotIn)] |
    (kw_in > operand[push])[kind(Kind::kIn)] |
    ((kw_matches >> kw_any > operand[push])[kind(Kind::kMatchesAny)] >>
     -(kw_ignoring > kw_case)[key_is("ignoring case")]) |
    ((kw_matches > string_lit[push])[kind(Kind::kMatches)] >>
     -(kw_ignoring > kw_case)[key_is("ignoring case")]) |
    (kw_is > (kw_known[kind(Kind::kIsKnown)] | kw_missing[kind(Kind::kIsMissing)]))][set_range];
auto const operand_def = x3::raw[string_lit[assign] | date_lit[assign] | quantity_lit[assign] |
                         number_lit[assign] |
                         bool_lit[assign] | set_literal[assign] | quantifier[assign] | call[assign] |
                         (lit('(') > expr[assign] > lit(')')) | path[assign]][set_range];
auto const string_lit_def = x3::raw[quoted[set_text][kind(Kind::kString)]][set_range];
auto const date_lit_def = x3::raw[date_text[set_text][kind(Kind::kDate)]][set_range];
// Digits only: the default real policy would also read `inf` and `nan`, the start of names.
struct finite_real_policies : x3::real_policies<double> {
  template <typename It, typename Attr>
  static bool parse_nan(It&, It const&, Attr&) { return false; }
  template <typename It, typename Attr>
  static bool parse_inf(It&, It const&, Attr&) { return false; }
};
x3::real_parser<double, finite_real_policies> const finite_real = {};

auto const number_lit_def =
    x3::raw[finite_real[set_number][kind(Kind::kNumber)]][set_range];
// A number with a unit (`4 L`); `4 L | 4 kg` says the same limit in each dimension, and the
// material's unit picks the one it is compared with.
// (Not a word that opens a table's or regime's clause: `when m.quantity <= 5 row ...`.)
auto const unit_word_def =
    lexeme[alpha >> *alnum >> !char_('_')] - reserved - kw_columns - kw_complete - kw_row - kw_covers;
auto const unit_number_def =
    x3::raw[(finite_real[set_number] >> unit_word[set_key])[kind(Kind::kNumber)]][set_range];
auto const quantity_lit_def =
    x3::raw[(unit_number[push] >> *(lit('|') > unit_number[push]))[kind(Kind::kQuantity)]][set_range];
auto const bool_lit_def = x3::raw[x3::raw[kw_true | kw_false][set_text][kind(Kind::kBool)]][set_range];
auto const element_def = x3::raw[(quoted[set_text] | bareword[set_text])[kind(Kind::kString)]][set_range];
auto const set_literal_def = x3::raw[(lit('{') > -(element[push] % ',') > -lit(',') >
                              lit('}'))[kind(Kind::kSetLiteral)]][set_range];
auto const quantifier_def = x3::raw[(kw_any[kind(Kind::kAny)] | kw_all[kind(Kind::kAll)]) > lit('(') > ident[set_text] > kw_in >
    operand[push] > lit(':') > expr[push] > lit(')')][set_range];
auto const path_def = x3::raw[qname[set_text][kind(Kind::kPath)] >>
                      -(lit('[') > expr[push] > lit(']'))[kind(Kind::kLookup)] >>
                      -x3::no_skip[lit('?')][key_is("?")]][set_range];

// A built-in function: a name directly followed by `(` (the checker knows which names exist).
auto const call_def = x3::raw[(qname[set_text] >> lit('(')) > -(expr[push] % ',') > lit(')')[kind(Kind::kCall)]][set_range];

BOOST_SPIRIT_DEFINE(expr, or_expr, and_expr, not_expr, predicate, tail, operand, string_lit,
                    date_lit, number_lit, bool_lit, element, set_literal, quantifier, path, call,
                    unit_word, unit_number, quantity_lit);

// --- declarations -----------------------------------------------------------------------------

x3::rule<class decl_id, Node> const decl =
    "`rule`, `decision table`, `predicate`, `regime`, `set`, `table` or `test`";
x3::rule<class decision_decl_id, Node> const decision_decl = "decision table";
x3::rule<class regime_decl_id, Node> const regime_decl = "regime";
x3::rule<class regime_clause_id, Node> const regime_clause =
    "`title`, `cite`, `covers`, `when` or `}`";
x3::rule<class covered_id, Node> const covered = "set of countries or `*`";
x3::rule<class decision_clause_id, Node> const decision_clause =
    "`title`, `cite`, `effective`, `for each material`, `when`, `columns`, `complete`, `row` or `}`";
x3::rule<class row_id, Node> const row = "row";
x3::rule<class row_name_id, std::string> const row_name = "row name";
x3::rule<class row_clause_id, Node> const row_clause = "`effective`, `title`, `cite` or `then`";
x3::rule<class cell_id, Node> const cell =
    "cell (`*`, a value, `{A, B}`, `in SET`, or `not` before a value or set)";
x3::rule<class cell_value_id, Node> const cell_value = "value, `{A, B}` or `in SET`";
x3::rule<class pred_decl_id, Node> const pred_decl = "predicate";
x3::rule<class param_id, Node> const param = "parameter name";
x3::rule<class leg_name_id, Node> const leg_name = "leg (`destination`, `transit`, `end_user`, `origin`)";
x3::rule<class set_decl_id, Node> const set_decl = "set";
x3::rule<class table_decl_id, Node> const table_decl = "table";
x3::rule<class entry_id, Node> const entry = "table entry `key: {...}`";
x3::rule<class rule_decl_id, Node> const rule_decl = "rule";
x3::rule<class clause_id, Node> const clause =
    "`title`, `cite`, `effective`, `for each`, `when`, `then` or `}`";
x3::rule<class effect_id, Node> const effect =
    "`prohibited`, `review`, `license_required`, `condition` or `permitted`";
x3::rule<class argument_id, Node> const argument = "string";
x3::rule<class argument_value_id, Node> const argument_value = "string";
x3::rule<class test_decl_id, Node> const test_decl = "test";
x3::rule<class test_clause_id, Node> const test_clause =
    "`title`, `request`, `as_of`, `expect`, `fires` or `}`";
json_object_parser const json_object_scan{};
x3::rule<class json_object_id> const json_object = "JSON object `{...}`";
x3::rule<class rule_ref_id, Node> const rule_ref = "rule name";

auto const decl_def = x3::raw[set_decl[assign] | table_decl[assign] | rule_decl[assign] |
                              pred_decl[assign] | decision_decl[assign] | regime_decl[assign] |
                              test_decl[assign]][set_range];
// `regime NAME { title "..." cite "..." covers KIND of SET, ... when CONDITION }`: a body of
// law the policy covers, for the decision's coverage and its fail-closed rules.
auto const regime_decl_def = x3::raw[kw_regime[kind(Kind::kRegime)] > ident[set_text] > lit('{') >
                             *regime_clause[push] > lit('}')][set_range];
auto const regime_clause_def = x3::raw[(kw_title[kind(Kind::kTitle)] > quoted[set_text]) |
    (kw_cite[kind(Kind::kCite)] > quoted[set_text]) |
    (kw_covers[kind(Kind::kCovers)] > ident[set_text] > kw_of > (covered[push] % ',')) |
    (kw_when[kind(Kind::kWhen)] > expr[push])][set_range];
inline auto const star_value = [](auto& ctx) {
  x3::_val(ctx).kind = Kind::kString;
  x3::_val(ctx).text = "*";
};
auto const covered_def = x3::raw[lit('*')[star_value] | operand[assign]][set_range];
// A decision table: rows of cells matched against the columns, each with its effect. Each row
// is a rule (named by the row, else NAME_rowN); the most restrictive row that holds wins.
auto const decision_decl_def = x3::raw[kw_decision[kind(Kind::kDecision)] > kw_table > ident[set_text] >
                               lit('{') > *decision_clause[push] > lit('}')][set_range];
auto const decision_clause_def = x3::raw[(kw_title[kind(Kind::kTitle)] > quoted[set_text]) |
    (kw_cite[kind(Kind::kCite)] > quoted[set_text]) |
    (kw_effective[kind(Kind::kEffective)] > date_lit[push] > lit("..") > -date_lit[push]) |
    (kw_for[kind(Kind::kForEach)] > kw_each > kw_material[key_is("material")] > ident[set_text]) |
    (kw_when[kind(Kind::kWhen)] > expr[push]) |
    (kw_columns[kind(Kind::kColumns)] > (expr[push] % ',')) |
    kw_complete[kind(Kind::kComplete)] |
    row[assign]][set_range];
// (The name is its own rule, so `row scc, *` does not take `scc` as a name before the `:`
// fails to follow it: an action runs as soon as its subject matches.)
auto const row_name_def = ident >> lit(':');
auto const row_def = x3::raw[kw_row[kind(Kind::kRow)] > -row_name[set_text] >
                     (cell[push] % ',') > *row_clause[push]][set_range];
auto const row_clause_def = x3::raw[
    (kw_effective[kind(Kind::kEffective)] > date_lit[push] > lit("..") > -date_lit[push]) |
    (kw_title[kind(Kind::kTitle)] > quoted[set_text]) |
    (kw_cite[kind(Kind::kCite)] > quoted[set_text]) |
    (kw_then[kind(Kind::kThen)] > effect[push])][set_range];
// `not` and `in` are words of a cell only when a value could not go on from them
// (`not-for-sale` and `in-vitro` are values).
auto const cell_word_end = !(alnum | char_("_.*-"));
auto const cell_def = x3::raw[x3::eps[kind(Kind::kCell)] >>
                              (lit('*')[key_is("*")] |
                               (lexeme[lit("not") >> cell_word_end][key_is("not")] > cell_value[push]) |
                               cell_value[push])][set_range];
auto const cell_value_def = x3::raw[set_literal[assign] |
                                    (lexeme[lit("in") >> cell_word_end] > qname[set_text][kind(Kind::kPath)]) |
                                    element[assign]][set_range];
// `predicate NAME(PARAM, ...) = CONDITION`, or without parameters `predicate NAME = CONDITION`.
auto const pred_decl_def = x3::raw[kw_predicate[kind(Kind::kPredicate)] > ident[set_text] >
                           -(lit('(') > -(param[push] % ',') > lit(')')) > lit('=') >
                           expr[push]][set_range];
auto const param_def = x3::raw[ident[set_text][kind(Kind::kParam)]][set_range];
auto const leg_name_def = x3::raw[ident[set_text][kind(Kind::kString)]][set_range];
auto const set_decl_def = x3::raw[kw_set[kind(Kind::kSet)] > ident[set_text] > lit('=') > set_literal[push]][set_range];
auto const table_decl_def = x3::raw[kw_table[kind(Kind::kTable)] > ident[set_text] > lit('=') > lit('{') >
                            -(entry[push] % ',') > -lit(',') > lit('}')][set_range];
auto const entry_def = x3::raw[x3::eps[kind(Kind::kTableEntry)] >> element[push] > lit(':') >
                               set_literal[push]][set_range];
auto const rule_decl_def = x3::raw[kw_rule[kind(Kind::kRule)] > ident[set_text] > lit('{') >
                           *clause[push] > lit('}')][set_range];
auto const clause_def = x3::raw[(kw_title[kind(Kind::kTitle)] > quoted[set_text]) |
    (kw_cite[kind(Kind::kCite)] > quoted[set_text]) |
    (kw_effective[kind(Kind::kEffective)] > date_lit[push] > lit("..") > -date_lit[push]) |
    (kw_for[kind(Kind::kForEach)] > kw_each >
     ((kw_material[key_is("material")] > ident[set_text]) |
      (kw_leg[key_is("leg")] > ident[set_text] > kw_in > (leg_name[push] % ',')) |
      (ident[set_text] > kw_in > operand[push]))) |
    (kw_when[kind(Kind::kWhen)] > expr[push]) |
    (kw_then[kind(Kind::kThen)] > effect[push])][set_range];
auto const effect_def = x3::raw[x3::raw[kw_prohibited | kw_review | kw_license_required | kw_condition | kw_permitted]
           [set_text][kind(Kind::kEffect)] >>
    *argument[push]][set_range];
// `basis "CB2"`, or `basis col`: the value of a variable bound by `for each col in ...`.
inline auto const take_value = [](auto& ctx) {
  x3::_val(ctx).kind = x3::_attr(ctx).kind;
  x3::_val(ctx).text = std::move(x3::_attr(ctx).text);
};
auto const argument_def =
    x3::raw[(x3::raw[kw_authority | kw_basis][set_key] > argument_value[take_value]) |
            quoted[set_text][kind(Kind::kString)]][set_range];
auto const argument_value_def =
    (quoted[set_text][kind(Kind::kString)] | ident[set_text][kind(Kind::kPath)]);

// A test: a request written as JSON (kept as text, decoded by the checker) and what it must give.
auto const test_decl_def = x3::raw[kw_test[kind(Kind::kTest)] > ident[set_text] > lit('{') >
                           *test_clause[push] > lit('}')][set_range];
auto const test_clause_def = x3::raw[(kw_title[kind(Kind::kTitle)] > quoted[set_text]) |
    (kw_request[kind(Kind::kRequest)] > x3::raw[json_object][set_text]) |
    (kw_as_of[kind(Kind::kAsOf)] > date_lit[push]) |
    (kw_expect[kind(Kind::kExpect)] > ident[set_text]) |
    (kw_fires[kind(Kind::kFires)] > (rule_ref[push] % ','))][set_range];
auto const rule_ref_def = x3::raw[qname[set_text][kind(Kind::kPath)]][set_range];
auto const json_object_def = json_object_scan;

BOOST_SPIRIT_DEFINE(decl, set_decl, table_decl, entry, rule_decl, clause, effect, argument,
                    test_decl, test_clause, json_object, rule_ref, pred_decl, param, leg_name,
                    argument_value, decision_decl, decision_clause, row, row_clause, cell,
                    cell_value, row_name, regime_decl, regime_clause, covered);

}  // namespace exportctl::internal::grammar

#endif  // EXPORTCTL_SRC_PARSER_GRAMMAR_DEF_H_
