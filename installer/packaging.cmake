# Installation layout and CPack packages: a .deb (package `quantfold`, dependencies found by
# dpkg-shlibdeps) and a .tar.gz of the same tree. `tools/package.sh` runs cpack in build/.
include(GNUInstallDirs)
# cpack (and `cmake --install`) install what tools/package.sh built, without building every test
# and benchmark first.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
set(QF_APP_ID io.github.quantfold.QuantFold)
set(QF_INSTALLER_DIR ${PROJECT_SOURCE_DIR}/installer)

install(TARGETS quantfold-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The desktop app comes from app/CMakeLists.txt when the GUI is built.
if(TARGET quantfold)
    install(TARGETS quantfold RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
    install(FILES ${QF_INSTALLER_DIR}/${QF_APP_ID}.desktop
            DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
    install(FILES ${QF_INSTALLER_DIR}/${QF_APP_ID}.metainfo.xml
            DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
    install(FILES ${QF_INSTALLER_DIR}/${QF_APP_ID}.mime.xml
            DESTINATION ${CMAKE_INSTALL_DATADIR}/mime/packages RENAME ${QF_APP_ID}.xml)
    install(FILES ${QF_INSTALLER_DIR}/icons/${QF_APP_ID}.svg
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
    foreach(size 16 32 48 64 128 256)
        install(FILES ${QF_INSTALLER_DIR}/icons/${size}/${QF_APP_ID}.png
                DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps)
    endforeach()
endif()
# The bundled sample, so the installed app has a model to open straight away.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/sample/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/quantfold/sample)

set(CPACK_PACKAGE_NAME quantfold)
set(CPACK_PACKAGE_VENDOR "QuantFold")
set(CPACK_PACKAGE_CONTACT "QuantFold developers <quantfold@users.noreply.github.com>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Fold BatchNorm into convolutions and quantize CNNs to int8 (Caffe, ONNX)")
set(CPACK_PACKAGE_DESCRIPTION_FILE ${QF_INSTALLER_DIR}/description.txt)
set(CPACK_PACKAGE_HOMEPAGE_URL "https://github.com/quantfold/quantfold")
set(CPACK_PACKAGE_INSTALL_DIRECTORY quantfold)
set(CPACK_RESOURCE_FILE_README ${PROJECT_SOURCE_DIR}/README.md)
set(CPACK_GENERATOR DEB TGZ)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_FILE_NAME quantfold-${PROJECT_VERSION}-Linux-${CMAKE_SYSTEM_PROCESSOR})

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # quantfold_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-translations-l10n, fonts-wqy-microhei | fonts-noto-cjk")

include(CPack)
