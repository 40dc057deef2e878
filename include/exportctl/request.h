#ifndef EXPORTCTL_REQUEST_H_
#define EXPORTCTL_REQUEST_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace exportctl {

// One shipment, as in the JSON contract (README, "The request"). An absent optional field is
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
};

struct Material {
  std::string id;
  std::optional<std::string> description, category, origin, eccn, eu_dual_use, un_number, unit,
      temperature;
  std::optional<double> quantity;  // net quantity in `unit` (mL, L, g, kg, or a count)
  std::optional<double> dry_ice_kg;  // refrigerant in the package, kg (UN1845)
};

struct DataTransfer {
  std::optional<bool> personal_data;
  std::optional<std::vector<std::string>> categories;
  std::optional<std::string> deidentification, transfer_mechanism;
  std::optional<bool> encrypted;
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

  // Returns the request decoded from one JSON object, or InvalidArgument whose message starts
  // with the JSON path and a stable code: "$.materials[1].quantity: expected number
  // [invalid_type]". Unknown keys, wrong types, unknown countries, categories or dates outside
  // the calendar are all errors. Inputs over 1 MiB are refused.
  static absl::StatusOr<Request> FromJson(std::string_view json);

  // The same, decoding into `*out` and reusing its storage (for loops over many requests).
  // On error `*out` holds a partial request: decode into it again, do not evaluate it.
  static absl::Status FromJson(std::string_view json, Request* out);

  // Returns OK when the request satisfies the contract (FromJson calls this too), else
  // InvalidArgument naming the path of the first offending field.
  absl::Status Validate() const;
};

}  // namespace exportctl

#endif  // EXPORTCTL_REQUEST_H_
