#ifndef EXPORTCTL_SRC_SCREENING_LEGAL_FORMS_H_
#define EXPORTCTL_SRC_SCREENING_LEGAL_FORMS_H_

// Legal-form words and phrases (company types) that the matcher sets apart from a name's core:
// "ORION LLC", "ORION LIMITED LIABILITY COMPANY" and "OOO ORION" name the same party for
// screening purposes. The one place they are listed: the matcher (matcher.cc) and the query-set
// generator (tests/data/screening/make_queries.py, which reads the quoted strings below) both use
// this table.
//
// Each phrase is written as its normalised tokens (NormalizeName: case-folded, punctuation
// removed, "S.A." -> "SA"; a spaced "S. A." gives the tokens "S A"). They are stripped only as a
// run at the start or the end of a name, never from its middle ("CO" in "TRADING CO LTD" is,
// "AG" in "AG TRADING" is not unless at the start), and a name made only of legal forms keeps
// them.

#include <string_view>

namespace exportctl::internal {

inline constexpr std::string_view kLegalForms[] = {
    // English-speaking jurisdictions.
    "LIMITED LIABILITY COMPANY", "LIMITED LIABILITY PARTNERSHIP", "LIMITED PARTNERSHIP",
    "PUBLIC LIMITED COMPANY", "PRIVATE LIMITED", "PRIVATE LIMITED COMPANY", "LIMITED COMPANY",
    "LIMITED", "LTD", "LLC", "L L C", "INC", "INCORPORATED", "CORP", "CORPORATION", "CO",
    "COMPANY", "LLP", "LP", "PLC", "PTE", "PVT", "PTY", "PTE LTD", "PVT LTD", "PTY LTD", "CO LTD",
    "CO LIMITED",
    // Continental Europe.
    "GMBH", "MBH", "GMBH CO KG", "KG", "AG", "SE", "SA", "S A", "SAS", "SARL", "S A R L", "SRL",
    "SPA", "S P A", "BV", "B V", "NV", "N V", "AB", "AS", "A S", "OY", "OYJ", "APS", "KFT", "ZRT",
    "SP Z O O", "SRO", "S R O", "DOO", "D O O", "AD", "EOOD", "OOD", "SL", "SAU", "LDA", "SCA",
    // Russia and the CIS: abbreviations and their spelled-out transliterations.
    "OOO", "ZAO", "OAO", "PAO", "AO", "PJSC", "JSC", "CJSC", "OJSC", "TOO", "IP", "FGUP", "GUP",
    "MUP", "JOINT STOCK COMPANY", "OPEN JOINT STOCK COMPANY", "CLOSED JOINT STOCK COMPANY",
    "PUBLIC JOINT STOCK COMPANY", "OBSHCHESTVO S OGRANICHENNOY OTVETSTVENNOSTYU",
    "OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU", "AKTSIONERNOE OBSHCHESTVO",
    "ZAKRYTOE AKTSIONERNOE OBSHCHESTVO", "OTKRYTOE AKTSIONERNOE OBSHCHESTVO",
    "PUBLICHNOE AKTSIONERNOE OBSHCHESTVO",
    // Asia and the Middle East.
    "KK", "KABUSHIKI KAISHA", "YK", "BHD", "SDN BHD", "TBK", "PT", "FZE", "FZCO", "FZ LLC", "WLL",
};

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_SCREENING_LEGAL_FORMS_H_
