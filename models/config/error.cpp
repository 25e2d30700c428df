#include "leap/error.h"

namespace leap {

InputError::InputError(const std::string& file, const std::string& key, const std::string& expected,
                       const std::string& found)
    : Error(file + ": key '" + key + "': expected " + expected + ", found " + found) {}

bool is_agreed(const std::exception& e) { return dynamic_cast<const Agreed*>(&e) != nullptr; }

int exit_code_for(const std::exception& e) { return dynamic_cast<const InputError*>(&e) ? 2 : 1; }

}  // namespace leap
