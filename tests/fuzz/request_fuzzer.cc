// Fuzz target: the request decoder (Request::FromJson). A request is decoded or refused with a
// stable code and a JSON path; a decoded one validates, survives ToJson/FromJson unchanged, and
// decoding into a reused Request gives the same request as a fresh decode.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tests/fuzz/fuzz_util.h"

namespace exportctl::fuzz {
namespace {

bool IsRequestCode(std::string_view code) {
  for (std::string_view known : {"invalid_json", "invalid_type", "unknown_field", "duplicate_key",
                                 "missing_field", "unknown_country", "invalid_date",
                                 "invalid_value", "duplicate_id", "too_large"}) {
    if (code == known) return true;
  }
  return false;
}

void Run(std::string_view json) {
  absl::StatusOr<Request> request = Request::FromJson(json);
  // The reused Request holds whatever the previous input left in it.
  static Request reused;
  const absl::Status again = Request::FromJson(json, &reused);
  FUZZ_CHECK(again.ok() == request.ok(), request.status().ToString() + " / " + again.ToString());
  if (!request.ok()) {
    std::optional<RequestError> error = RequestError::FromStatus(request.status());
    FUZZ_CHECK(error.has_value(), request.status().ToString());
    FUZZ_CHECK(IsRequestCode(error->code), error->code);
    FUZZ_CHECK(error->path.starts_with("$"), error->path);
    FUZZ_CHECK(again.message() == request.status().message(), again.ToString());
    return;
  }
  FUZZ_CHECK(request->Validate().ok(), request->Validate().ToString());
  const std::string out = request->ToJson();
  FUZZ_CHECK(IsValidJson(out), out);
  FUZZ_CHECK(reused.ToJson() == out, "fresh: " + out + "\nreused: " + reused.ToJson());
  absl::StatusOr<Request> round = Request::FromJson(out);
  FUZZ_CHECK(round.ok(), round.status().ToString() + "\n" + out);
  FUZZ_CHECK(round->ToJson() == out, out + "\n" + round->ToJson());
}

}  // namespace
}  // namespace exportctl::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  exportctl::fuzz::Run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
