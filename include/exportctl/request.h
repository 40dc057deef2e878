#ifndef EXPORTCTL_REQUEST_H_
#define EXPORTCTL_REQUEST_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace exportctl {

// One shipment, as in the JSON contract (README, "The request"; every field, its type and its
// vocabulary are listed in rules/LANGUAGE.md, "Request attributes"). An absent optional field is
// unknown: a rule that needs it yields `review` with a `missing_field` error, never `permitted`.
// Countries are ISO 3166-1 alpha-2 codes; dates are "YYYY-MM-DD".
struct Party {
  std::string role;  // consignee, intermediate_consignee or freight_forwarder
  std::optional<std::string> name;
  std::optional<std::string> country;
};

struct EndUser {
  std::optional<std::string> name, country, type, end_use, address;
};

struct Exporter {
  std::optional<std::string> name, country;
  // Owned or controlled by a US person (a US citizen or resident, or a US-organised entity):
  // OFAC's Cuba and Iran rules then bind the exporter wherever it is (31 CFR 515.329(d),
  // 560.215).
  std::optional<bool> us_owned;
};

struct Material {
  std::string id;
  std::optional<std::string> description, category, origin, eccn, eu_dual_use, un_number, unit,
      temperature;
  // The organism or toxin, named as in the Category A indicative list or the CCL (e.g.
  // "Mycobacterium tuberculosis"), and the form it travels in: "culture", "specimen" (a patient
  // specimen), "extract" or "product". Both optional: without an agent the checks by agent do not
  // apply (the UN number and the ECCN decide); with an agent, an absent form fails closed where
  // the form decides.
  std::optional<std::string> agent, form;
  // `unit` is one of uL, mL, L, ug, mg, g, kg or a count (each, unit(s), vial(s), tube(s),
  // kit(s), box(es), dose(s), swab(s), ...; the full list is in rules/LANGUAGE.md).
  std::optional<double> quantity;  // net quantity in `unit`
  std::optional<double> dry_ice_kg;  // refrigerant in the package, kg (UN1845)
};

struct DataTransfer {
  std::optional<bool> personal_data;
  std::optional<std::vector<std::string>> categories;
  std::optional<std::string> deidentification, transfer_mechanism;
  std::optional<bool> encrypted;
};

// Why a request was refused, as values: what Request::FromJson and Request::Validate report.
struct RequestError {
  std::string code;     // stable: invalid_json, invalid_type, unknown_field, duplicate_key,
                        // missing_field, unknown_country, invalid_date, invalid_value,
                        // duplicate_id, too_large
  std::string path;     // the JSON path of the offending value: "$.materials[1].quantity"
  std::string message;  // what is wrong with it: "expected number"

  // Returns the error carried by a status from FromJson or Validate; nullopt for OK or for any
  // other status.
  static std::optional<RequestError> FromStatus(const absl::Status& status);
};

struct Request {
  std::string id;
  std::string date;
  std::vector<std::string> route;  // origin, transits..., destination (at least two)
  std::vector<Material> materials;  // at least one
  std::optional<Exporter> exporter;
  std::optional<EndUser> end_user;
  std::optional<std::vector<Party>> parties;
  std::optional<DataTransfer> data;
  std::optional<std::vector<std::string>> licenses;
  // The transit countries of `route` where the cargo is unloaded and enters the country's
  // commerce: then it is an export to that country and a re-export from it. A transit country
  // not listed is a plain transit (in transit or transshipment under customs control).
  std::optional<std::vector<std::string>> enters_commerce;

  // Returns the request decoded from one JSON object, or InvalidArgument whose message is the
  // JSON path and what is wrong ("$.materials[1].quantity: expected number"); the stable code
  // and the path as values: RequestError::FromStatus(status). Unknown keys, wrong types, unknown
  // countries, values outside a closed vocabulary and dates outside the calendar are all errors
  // (the first one found is reported). Inputs over 1 MiB are refused (`too_large`).
  static absl::StatusOr<Request> FromJson(std::string_view json);

  // The same, decoding into `*out` and reusing its storage (for loops over many requests).
  // On error `*out` holds a partial request: decode into it again, do not evaluate it.
  static absl::Status FromJson(std::string_view json, Request* out);

  // Returns the request as one line of JSON in the contract's shape, fields in a fixed order,
  // absent optional fields left out; FromJson(ToJson()) gives the same request back.
  std::string ToJson() const;

  // Returns OK when the request satisfies the contract (FromJson calls this too; Evaluate and
  // Decide call it on every request, so a request built in C++ is checked as well), else
  // InvalidArgument as FromJson's, naming the first offending field.
  absl::Status Validate() const;
};

}  // namespace exportctl

#endif  // EXPORTCTL_REQUEST_H_
