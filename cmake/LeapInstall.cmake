# `cmake --install` gives headers, libraries, `leap` and a CMake package: find_package(leap) then
# target_link_libraries(app leap::leap) (and leap::petsc, leap::models).
include(CMakePackageConfigHelpers)
install(TARGETS leap_torch leap_models leap_plugin leap_petsc EXPORT leapTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS leap RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/leap DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h" PATTERN "*.mod")
install(FILES ${LEAP_GENERATED_INCLUDE}/leap/version.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/leap)
set(LEAP_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/leap)
install(EXPORT leapTargets NAMESPACE leap:: DESTINATION ${LEAP_CMAKE_DIR})
configure_package_config_file(cmake/leapConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/leapConfig.cmake
                              INSTALL_DESTINATION ${LEAP_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/leapConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/leapConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/leapConfigVersion.cmake
        DESTINATION ${LEAP_CMAKE_DIR})
