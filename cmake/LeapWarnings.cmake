# Warnings for LEAP's own targets: -Wall -Wextra clean is the rule.
function(leap_warnings target)
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wno-unused-parameter>)
endfunction()
