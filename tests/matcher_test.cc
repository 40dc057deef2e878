// The name matcher (src/screening/matcher.h): normalisation, the scorer, country weighting, the
// index against the linear scan, odd inputs, concurrent use.

#include "src/screening/matcher.h"

#include <cctype>
#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "src/screening/legal_forms.h"

namespace exportctl::internal {
namespace {

using ::testing::Ge;
using ::testing::Lt;

ListEntry Entry(std::vector<std::string> names, std::vector<std::string> countries = {}) {
  ListEntry e;
  e.list = "SDN";
  e.names = std::move(names);
  e.countries = std::move(countries);
  return e;
}

NameIndex IndexOf(const std::vector<ListEntry>& entries) {
  std::vector<const ListEntry*> pointers;
  for (const ListEntry& e : entries) pointers.push_back(&e);
  return NameIndex(std::move(pointers));
}

// --- Normalisation ---------------------------------------------------------------------------

TEST(NormalizeNameTest, FoldsCase) { EXPECT_EQ(NormalizeName("BaNCo NACIONAL"), "banco nacional"); }

TEST(NormalizeNameTest, StripsMarksAfterDecomposition) {
  EXPECT_EQ(NormalizeName("José Müller Ørsted Ça"), "jose muller ørsted ca");
  EXPECT_EQ(NormalizeName("Jose\xCC\x81"), "jose");  // a combining acute accent
}

TEST(NormalizeNameTest, AppliesNfkcAndCaseFolding) {
  EXPECT_EQ(NormalizeName("ＡＢＣ Ｔｒａｄｉｎｇ"), "abc trading");  // full-width forms
  EXPECT_EQ(NormalizeName("ﬁnance"), "finance");                  // the fi ligature
  EXPECT_EQ(NormalizeName("STRAẞE Straße"), "strasse strasse");    // sharp s folds to ss
  EXPECT_EQ(NormalizeName("ΣΟΦΙΑ"), "σοφια");                      // Greek folds, not dropped
}

TEST(NormalizeNameTest, FoldsPunctuationAndSpacing) {
  EXPECT_EQ(NormalizeName("  AL-QA'IDA,\tNetwork ;; "), "al qaida network");
  EXPECT_EQ(NormalizeName("O\xE2\x80\x99" "BRIEN"), "obrien");  // right single quotation mark
  EXPECT_EQ(NormalizeName("ANGLO-CARIBBEAN CO., LTD."), "anglo caribbean co ltd");
  EXPECT_EQ(NormalizeName("ACME S.A."), "acme sa");  // initials stay together
  EXPECT_EQ(NormalizeName("ACME L.L.C."), "acme llc");
  EXPECT_EQ(NormalizeName("ST.PETERSBURG"), "st petersburg");
}

TEST(NormalizeNameTest, EmptyWhitespaceAndPunctuationOnlyGiveNothing) {
  EXPECT_EQ(NormalizeName(""), "");
  EXPECT_EQ(NormalizeName(" \t\n "), "");
  EXPECT_EQ(NormalizeName("-.,;'"), "");
}

TEST(NormalizeNameTest, InvalidUtf8IsReplacedAndSeparatesWords) {
  // Documented in matcher.cc: invalid bytes become U+FFFD, which separates words.
  EXPECT_EQ(NormalizeName("ABC\xFF" "DEF"), "abc def");
  EXPECT_EQ(NormalizeName("\xC3"), "");
  EXPECT_EQ(NormalizeName("ACME\xE2\x82"), "acme");
}

TEST(NormalizeNameTest, LegalFormTableIsWrittenNormalised) {
  for (std::string_view phrase : kLegalForms) {
    std::string lower(phrase);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(NormalizeName(phrase), lower) << phrase;
  }
}

// --- The scorer ------------------------------------------------------------------------------

TEST(ScoreNameTest, SameNameIs100WhateverCasePunctuationAndMarks) {
  EXPECT_EQ(ScoreName("BANCO NACIONAL DE CUBA", "BANCO NACIONAL DE CUBA"), 100);
  EXPECT_EQ(ScoreName("banco nacional de cuba", "BANCO NACIONAL DE CUBA"), 100);
  EXPECT_EQ(ScoreName("Banco-Nacional, de Cuba.", "BANCO NACIONAL DE CUBA"), 100);
  EXPECT_EQ(ScoreName("Bánco Nacionál de Cúba", "BANCO NACIONAL DE CUBA"), 100);
}

TEST(ScoreNameTest, WordOrderDoesNotMatter) {
  EXPECT_EQ(ScoreName("Abboud Abdul Latif Hassan AL-ZOMOR", "AL-ZOMOR, Abboud Abdul Latif Hassan"),
            100);
  EXPECT_EQ(ScoreName("John Smith", "SMITH, John"), 100);
}

TEST(ScoreNameTest, LegalFormsChangedOrDroppedStillNearExact) {
  EXPECT_THAT(ScoreName("ORION LLC", "ORION LIMITED LIABILITY COMPANY"), Ge(kNearExactScore));
  EXPECT_THAT(ScoreName("OOO ORION", "ORION LLC"), Ge(kNearExactScore));
  EXPECT_THAT(ScoreName("ORION", "ORION LLC"), Ge(kNearExactScore));
  EXPECT_THAT(ScoreName("Obshchestvo s Ogranichennoy Otvetstvennostyu Orion", "ORION OOO"),
              Ge(kNearExactScore));
  EXPECT_THAT(ScoreName("Anglo Caribbean", "ANGLO-CARIBBEAN CO., LTD."), Ge(kNearExactScore));
  EXPECT_THAT(ScoreName("ACME GmbH", "ACME S.A."), Ge(kNearExactScore));
  // The same legal form wins the tie against another one.
  EXPECT_GT(ScoreName("ORION LLC", "ORION LLC"), ScoreName("ORION LLC", "ORION CORP"));
}

TEST(ScoreNameTest, LegalFormsWithTyposOrSplitWordsAreStillLegalForms) {
  EXPECT_THAT(ScoreName("JOINT STOKC COMPANY VYMPEL", "JOINT STOCK COMPANY VYMPEL"),
              Ge(kNearExactScore));
  EXPECT_THAT(ScoreName("LIMITED LIAB ILITY COMPANY ADM SYSTEMS",
                        "LIMITED LIABILITY COMPANY ADM SYSTEMS"),
              Ge(kNearExactScore));
  // A legal form in the middle of a name is a word of the name: not the same words.
  EXPECT_LT(ScoreName("TRADING CO EXPORT", "TRADING EXPORT"), 100);
  EXPECT_EQ(ScoreName("TRADING EXPORT CO", "TRADING EXPORT"), 99);
}

TEST(ScoreNameTest, ExactBeatsOneTypoBeatsTwoTyposBeatsUnrelated) {
  const std::string listed = "KHUM THAW TRADING COMPANY";
  const int exact = ScoreName("KHUM THAW TRADING COMPANY", listed);
  const int one = ScoreName("KHUM THAW TRADNG COMPANY", listed);
  const int two = ScoreName("KHUM THAQ TRADNG COMPANY", listed);
  const int unrelated = ScoreName("NORTHFIELD ANALYTICAL SERVICES", listed);
  EXPECT_EQ(exact, 100);
  EXPECT_GT(exact, one);
  EXPECT_GT(one, two);
  EXPECT_GT(two, unrelated);
  EXPECT_THAT(one, Ge(kReviewScore));
  EXPECT_THAT(two, Ge(kReviewScore));
  EXPECT_THAT(unrelated, Lt(50));
}

TEST(ScoreNameTest, TransliterationVariants) {
  EXPECT_THAT(ScoreName("Jürgen Müller", "MUELLER, Juergen"), Ge(kNearExactScore));
  EXPECT_THAT(ScoreName("Juergen Mueller", "MÜLLER, Jürgen"), Ge(kNearExactScore));
  EXPECT_THAT(ScoreName("Jurgen Muller", "MÜLLER, Jürgen"), Ge(kNearExactScore));
  EXPECT_THAT(ScoreName("Schröder Straße", "SCHROEDER STRASSE"), Ge(kNearExactScore));
}

TEST(ScoreNameTest, JoinedAndSplitWords) {
  EXPECT_THAT(ScoreName("ALZOMOR, Abboud", "AL-ZOMOR, Abboud"), Ge(kReviewScore));
  EXPECT_THAT(ScoreName("BANCO NACIONALDE CUBA", "BANCO NACIONAL DE CUBA"), Ge(kReviewScore));
  EXPECT_THAT(ScoreName("PETRO PARS", "PETROPARS LTD"), Ge(kReviewScore));
}

TEST(ScoreNameTest, ContainedNamesAndShortAliasesArePenalised) {
  // token_set_ratio gives 100 to each of these.
  EXPECT_THAT(ScoreName("BioNTech SE", "SE"), Lt(50));
  EXPECT_THAT(ScoreName("UCB Pharma", "UCB"), Lt(kReviewScore));
  EXPECT_THAT(ScoreName("BANCO NACIONAL", "BANCO NACIONAL DE CUBA"), Lt(kReviewScore));
  EXPECT_THAT(ScoreName("BNX", "BNC"), Lt(kReviewScore));
}

TEST(ScoreNameTest, SameSurnameNearMissesStayBelowReview) {
  EXPECT_THAT(ScoreName("David SMITH", "SMITH, John"), Lt(kReviewScore));
  EXPECT_THAT(ScoreName("SAYED, James", "SAYYED, Jamil"), Lt(kReviewScore));
  EXPECT_THAT(ScoreName("Maple Systems GmbH", "MALVINE SYSTEMS"), Lt(kReviewScore));
  EXPECT_THAT(ScoreName("Fortrea", "LLC FORTA"), Lt(kReviewScore));
}

TEST(ScoreNameTest, ScoresStayInRange) {
  for (const char* q : {"", " ", "A", "ZZZZ", "Mohammed Ali Hassan", "\xFF\xFE"}) {
    for (const char* l : {"", "A", "MOHAMMED ALI", "LLC"}) {
      const int s = ScoreName(q, l);
      EXPECT_GE(s, 0);
      EXPECT_LE(s, 100);
    }
  }
}

// --- The index -------------------------------------------------------------------------------

TEST(NameIndexTest, ReportsTheAliasThatMatchedAndOneMatchPerEntry) {
  const std::vector<ListEntry> entries = {
      Entry({"BANCO NACIONAL DE CUBA", "BNC", "NATIONAL BANK OF CUBA"}),
      Entry({"AEROCARIBBEAN AIRLINES"}),
  };
  const NameIndex index = IndexOf(entries);
  EXPECT_EQ(index.entry_count(), 2u);
  EXPECT_EQ(index.name_count(), 4u);
  std::vector<NameMatch> out;
  index.Screen({"National Bank of Cuba", "", kReviewScore}, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].entry, 0u);
  EXPECT_EQ(out[0].alias, 2u);
  EXPECT_EQ(out[0].score, 100);
  index.Screen({"BANCO NACIONAL DE CUBA", "", kReviewScore}, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].alias, 0u);
}

TEST(NameIndexTest, BestFirstThenEntryOrderAndMinScore) {
  const std::vector<ListEntry> entries = {
      Entry({"ORION TRADING LLC"}), Entry({"ORION TRADING"}), Entry({"ORION TRADNG"}),
      Entry({"UNRELATED NAME"})};
  const NameIndex index = IndexOf(entries);
  std::vector<NameMatch> out;
  index.Screen({"ORION TRADING", "", 50}, &out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].entry, 1u);  // 100: same words, same (no) legal form
  EXPECT_EQ(out[1].entry, 0u);  // 99: legal form differs
  EXPECT_EQ(out[2].entry, 2u);
  EXPECT_GT(out[1].score, out[2].score);
  index.Screen({"ORION TRADING", "", 100}, &out);
  ASSERT_EQ(out.size(), 1u);
}

TEST(NameIndexTest, EmptyIndexAndOddQueries) {
  std::vector<NameMatch> out = {NameMatch{}};
  NameIndex empty;
  empty.Screen({"ANYTHING", "", 0}, &out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(empty.name_count(), 0u);

  // A list whose names have no word at all (the index holds no name): nothing, at every
  // threshold, and no read past the index's tables.
  const std::vector<ListEntry> wordless = {Entry({"---"}), Entry({"..."})};
  const NameIndex none = IndexOf(wordless);
  for (int min : {85, 92, 100}) {
    none.Screen({"aaaaaaaaaaaa", "", min}, &out);
    EXPECT_TRUE(out.empty());
  }

  const std::vector<ListEntry> entries = {Entry({"ACME TRADING"}), Entry({"LLC"})};
  const NameIndex index = IndexOf(entries);
  for (std::string q : {std::string(""), std::string("   \t "), std::string(".,;-"),
                        std::string("\xFF\xFF\xC3"), std::string(1, '\0')}) {
    index.Screen({q, "", 0}, &out);
    EXPECT_TRUE(out.empty()) << q;
  }
  // Invalid bytes inside a name act as separators: the name still matches.
  index.Screen({"ACME\xFFTRADING", "", kReviewScore}, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].score, 100);
  // A name made only of a legal form is that legal form.
  index.Screen({"L.L.C.", "", kReviewScore}, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].entry, 1u);
}

TEST(NameIndexTest, HugeQueryIsCutAndAnsweredQuickly) {
  const std::vector<ListEntry> entries = {Entry({"ACME TRADING"})};
  const NameIndex index = IndexOf(entries);
  std::string huge = "ACME TRADING ";
  while (huge.size() < (1u << 20)) huge += "LOREM IPSUM DOLOR SIT AMET ";
  std::vector<NameMatch> out;
  const auto start = std::chrono::steady_clock::now();
  index.Screen({huge, "", 0}, &out);
  index.ScreenLinear({huge, "", 0}, &out);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_THAT(ScoreName(huge, "ACME TRADING"), Lt(kReviewScore));  // mostly other words
}

// --- Country weighting -----------------------------------------------------------------------

TEST(CountryWeightingTest, LowersAMismatchByTenButNeverHidesANearExactMatch) {
  const std::vector<ListEntry> entries = {
      Entry({"KHUM THAW TRADING COMPANY"}, {"MM"}),
      Entry({"BANCO NACIONAL DE CUBA"}, {"CU"}),
      Entry({"BONYAD SHIPPING AGENCIES"}, {}),  // no countries: never weighted
  };
  const NameIndex index = IndexOf(entries);
  std::vector<NameMatch> out;
  auto score = [&](std::string_view name, std::string_view country) {
    index.Screen({name, country, 0}, &out);
    return out.empty() ? -1 : static_cast<int>(out[0].score);
  };
  // A typo (below near-exact): 10 points off when the country differs, none when it is listed
  // (in any case) or unknown.
  const std::string typo = "KHUM THAW TRADNG COMPANX";
  const int name_score = ScoreName(typo, "KHUM THAW TRADING COMPANY");
  ASSERT_THAT(name_score, Lt(kNearExactScore));
  EXPECT_EQ(score(typo, ""), name_score);
  EXPECT_EQ(score(typo, "MM"), name_score);
  EXPECT_EQ(score(typo, "mm"), name_score);
  EXPECT_EQ(score(typo, "DE"), name_score - 10);
  // Exact: lowered, but not below the near-exact threshold.
  EXPECT_EQ(score("BANCO NACIONAL DE CUBA", "CU"), 100);
  EXPECT_EQ(score("BANCO NACIONAL DE CUBA", "US"), 90 < kNearExactScore ? kNearExactScore : 90);
  EXPECT_THAT(score("BANCO NACIONAL DE CUBA", "US"), Ge(kNearExactScore));
  // An entry without countries is not weighted.
  EXPECT_EQ(score("BONYAD SHIPPING AGENCIES", "DE"), 100);
  // The weighted score is what min_score filters.
  index.Screen({typo, "DE", name_score}, &out);
  EXPECT_TRUE(out.empty());
  index.Screen({typo, "MM", name_score}, &out);
  EXPECT_EQ(out.size(), 1u);
}

// --- The index against the linear scan -------------------------------------------------------

// A fixed-seed list of made-up names and queries made from them by typos, dropped and swapped
// words, joined words and legal forms, plus unrelated ones.
struct Synthetic {
  std::vector<ListEntry> entries;
  std::vector<std::string> queries;
};

Synthetic MakeSynthetic(int entry_count, int query_count) {
  std::mt19937 rng(7);
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  const std::vector<std::string> syllables = {"al", "ba", "kar", "mo", "ham", "ed", "ri", "zo",
                                              "nov", "sky", "tra", "de", "pe", "tro", "ga", "sh",
                                              "in", "or", "vy", "ush", "ka", "li", "ma", "ne"};
  const std::vector<std::string> forms = {"LLC", "LTD", "OOO", "JSC", "LIMITED LIABILITY COMPANY",
                                          "S.A.", "GMBH", ""};
  auto word = [&] {
    std::string w;
    for (std::size_t k = 0, n = 1 + pick(3); k < n; ++k) w += syllables[pick(syllables.size())];
    for (char& c : w) c = static_cast<char>(c - 'a' + 'A');
    return w;
  };
  Synthetic s;
  for (int i = 0; i < entry_count; ++i) {
    ListEntry e = Entry({});
    for (std::size_t a = 0, n = 1 + pick(3); a < n; ++a) {
      std::string name = word();
      for (std::size_t k = 0, words = pick(4); k < words; ++k) name += " " + word();
      const std::string& form = forms[pick(forms.size())];
      if (!form.empty()) name += " " + form;
      e.names.push_back(name);
    }
    s.entries.push_back(std::move(e));
  }
  for (int i = 0; i < query_count; ++i) {
    std::string q = s.entries[pick(s.entries.size())].names[0];
    switch (pick(6)) {
      case 0: q[pick(q.size())] = "XAEIOUZ"[pick(7)]; break;                      // a typo
      case 1: q.erase(pick(q.size()), 1); break;                                   // a deletion
      case 2: { auto sp = q.find(' '); if (sp != std::string::npos) q.erase(sp, 1); } break;
      case 3: q = word() + " " + q; break;                                         // a word more
      case 4: q = word() + " " + word(); break;                                    // unrelated
      default: q[pick(q.size())] = 'Q'; q[pick(q.size())] = 'J'; break;            // two typos
    }
    s.queries.push_back(q);
  }
  return s;
}

TEST(NameIndexTest, ScreenEqualsScreenLinear) {
  const Synthetic s = MakeSynthetic(300, 2500);
  const NameIndex index = IndexOf(s.entries);
  std::vector<NameMatch> fast, slow;
  int with_matches = 0;
  for (std::size_t i = 0; i < s.queries.size(); ++i) {
    const int min_score = i % 2 == 0 ? kReviewScore : 90;
    const NameQuery q{s.queries[i], "", min_score};
    index.Screen(q, &fast);
    index.ScreenLinear(q, &slow);
    ASSERT_EQ(fast.size(), slow.size()) << q.name << " at " << min_score;
    for (std::size_t k = 0; k < fast.size(); ++k) {
      EXPECT_EQ(fast[k].entry, slow[k].entry) << q.name;
      EXPECT_EQ(fast[k].alias, slow[k].alias) << q.name;
      EXPECT_EQ(fast[k].score, slow[k].score) << q.name;
    }
    with_matches += !fast.empty();
  }
  EXPECT_GT(with_matches, 1000);  // the comparison is not vacuous
}

// Below kReviewScore the index's filter is not calibrated: Screen must still give exactly the
// linear scan's answer (it falls back to it).
TEST(NameIndexTest, ScreenEqualsScreenLinearBelowTheReviewThreshold) {
  const Synthetic s = MakeSynthetic(300, 600);
  const NameIndex index = IndexOf(s.entries);
  std::vector<NameMatch> fast, slow;
  int with_matches = 0;
  for (std::size_t i = 0; i < s.queries.size(); ++i) {
    for (int min_score : {50, 70, kReviewScore - 1}) {
      const NameQuery q{s.queries[i], "", min_score};
      index.Screen(q, &fast);
      index.ScreenLinear(q, &slow);
      ASSERT_EQ(fast.size(), slow.size()) << q.name << " at " << min_score;
      for (std::size_t k = 0; k < fast.size(); ++k) {
        EXPECT_EQ(fast[k].entry, slow[k].entry) << q.name << " at " << min_score;
        EXPECT_EQ(fast[k].alias, slow[k].alias) << q.name << " at " << min_score;
        EXPECT_EQ(fast[k].score, slow[k].score) << q.name << " at " << min_score;
      }
      with_matches += !fast.empty();
    }
  }
  EXPECT_GT(with_matches, 600);  // the comparison is not vacuous
}

// --- Concurrency -----------------------------------------------------------------------------

TEST(NameIndexTest, ConcurrentScreensAgreeWithASingleThread) {
  const Synthetic s = MakeSynthetic(300, 400);
  const NameIndex index = IndexOf(s.entries);
  std::vector<std::vector<NameMatch>> expected(s.queries.size());
  for (std::size_t i = 0; i < s.queries.size(); ++i) {
    index.Screen({s.queries[i], "", kReviewScore}, &expected[i]);
  }
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<NameMatch> out;
      for (int round = 0; round < 3; ++round) {
        for (std::size_t i = t; i < s.queries.size(); i += 2) {
          index.Screen({s.queries[i], "", kReviewScore}, &out);
          bool same = out.size() == expected[i].size();
          for (std::size_t k = 0; same && k < out.size(); ++k) {
            same = out[k].entry == expected[i][k].entry && out[k].score == expected[i][k].score;
          }
          mismatches[t] += !same;
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace exportctl::internal
